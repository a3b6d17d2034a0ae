// Prints what Go's fmt makes of the cases of the emulator's gofmt tests
// (crates/emu/src/gofmt/tests.rs builds the same cases as values): one line
// per case, "<id>\t<hex of the output bytes>". The formats of formats.txt are
// applied to every value of the sets they name, under the id
// "<value name> <format>"; the hand-written cases follow. Regenerate with:
//
//	cd crates/emu/test_data/gofmt && GOTOOLCHAIN=local go run cases.go > expected.txt
package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"unsafe"
)

type point struct {
	X, Y int
	S    string
}

type outer struct {
	P point
	F float64
	U uint8
	B bool
	E error
	A any
}

type withEmbed struct {
	point
	Z int
}

type holder struct{ P *int }

type bytesField struct{ B []byte }

// A named int with a String method.
type color int

func (c color) String() string {
	switch c {
	case 0:
		return "red"
	case 1:
		return "green"
	case 2:
		return "blue"
	}
	return "color?"
}

// A struct with a String method.
type celsius struct{ Deg float64 }

func (c celsius) String() string { return fmt.Sprintf("%.1f°C", c.Deg) }

// A struct with an Error method.
type myErr struct{ Code int }

func (e myErr) Error() string { return fmt.Sprintf("error %d", e.Code) }

// A named string with a String method.
type name string

func (n name) String() string { return "Name(" + string(n) + ")" }

type paint struct {
	C color
	N int
}

type wrapper struct{ E error }

// A value for a case: its name in the case ids and the operand.
type named struct {
	name string
	v    any
}

// Pointers at fixed addresses outside Go's heap, which fmt prints but never follows.
var (
	fakeInt = (*int)(unsafe.Pointer(uintptr(0x1234abcd)))
	fakeRaw = unsafe.Pointer(uintptr(0xdeadbeef))
)

var sets = map[string][]named{
	"ints": {
		{"int(0)", 0},
		{"int(42)", 42},
		{"int(-42)", -42},
		{"int(255)", 255},
		{"int8(-128)", int8(math.MinInt8)},
		{"int16(-32768)", int16(math.MinInt16)},
		{"int32(120)", int32('x')},
		{"int32(0x1F600)", int32(0x1F600)},
		{"int32(0x110000)", int32(0x110000)},
		{"int32(0xD800)", int32(0xD800)},
		{"int32(39)", int32('\'')},
		{"int64(min)", int64(math.MinInt64)},
		{"int64(max)", int64(math.MaxInt64)},
		{"uint8(200)", uint8(200)},
		{"uint64(max)", uint64(math.MaxUint64)},
		{"uintptr(0xc000012345)", uintptr(0xc000012345)},
	},
	"floats": {
		{"0.0", 0.0},
		{"-0.0", math.Copysign(0, -1)},
		{"1.0", 1.0},
		{"-1.5", -1.5},
		{"2.5", 2.5},
		{"3.6", 3.6},
		{"1/3", 1.0 / 3},
		{"100.0", 100.0},
		{"123456.0", 123456.0},
		{"1234567.0", 1234567.0},
		{"123456789.0", 123456789.0},
		{"1e6", 1e6},
		{"1e20", 1e20},
		{"1e21", 1e21},
		{"1e23", 1e23},
		{"1e-4", 1e-4},
		{"1e-5", 1e-5},
		{"1.5e-7", 1.5e-7},
		{"5e-324", 5e-324},
		{"2.5e-310", 2.5e-310},
		{"maxfloat64", math.MaxFloat64},
		{"minnormal64", 0x1p-1022},
		{"NaN", math.NaN()},
		{"+Inf", math.Inf(1)},
		{"-Inf", math.Inf(-1)},
		{"0.000123456", 0.000123456},
		{"2.675", 2.675},
		{"0.125", 0.125},
		{"9.5", 9.5},
		{"99.95", 99.95},
		{"float32(0.1)", float32(0.1)},
		{"float32(1/3)", float32(1.0) / 3},
		{"float32(16777216)", float32(16777216)},
		{"float32(1e10)", float32(1e10)},
		{"float32(maxfloat32)", float32(math.MaxFloat32)},
		{"float32(1e-45)", float32(1e-45)},
		{"float32(-2.5)", float32(-2.5)},
	},
	"strings": {
		{`""`, ""},
		{`"hi"`, "hi"},
		{`"héllo"`, "héllo"},
		{`"a\"b\\c\n\t"`, "a\"b\\c\n\t"},
		{"\"`raw`'\"", "`raw`'"},
		{`"\xff\xfeab"`, "\xff\xfeab"},
		{`"\x00\x7f\a"`, "\x00\x7f\a"},
		{`"日本語"`, "日本語"},
		{`"\u2028\u00ad\ufeff"`, "\u2028\u00ad\ufeff"},
		{`"🙂"`, "🙂"},
		{`"\xe2\x82"`, "\xe2\x82"},
		{`"\xed\xa0\x80"`, "\xed\xa0\x80"},
		{`"\ufffd"`, "\ufffd"},
		{`"\u0301e"`, "\u0301e"},
	},
	"bools": {
		{"true", true},
		{"false", false},
	},
	"composites": {
		{"point", point{1, -2, "hi"}},
		{"outer", outer{P: point{3, 4, "a b"}, F: 2.5, U: 7, B: true}},
		{"outer2", outer{F: 1e21, U: 255, A: 42}},
		{"unexported", struct {
			a int
			b string
		}{1, "x"}},
		{"empty", struct{}{}},
		{"embedded", withEmbed{point{5, 6, ""}, 7}},
		{"[]int", []int{1, 2, 3}},
		{"[]int{}", []int{}},
		{"[3]int", [3]int{-1, 0, 1}},
		{"[]string", []string{"a", "b c", ""}},
		{"[]float64", []float64{1.5, 1e21, math.Copysign(0, -1)}},
		{"[][]int", [][]int{{1}, {2, 3}}},
		{"[]byte", []byte("hi\xff")},
		{"[2]byte", [2]byte{1, 2}},
		{"[]uint8{}", []uint8{}},
		{"[]any", []any{1, "a", nil, 2.5, true}},
		{"map[string]int", map[string]int{"b": 2, "a": 1}},
		{"map[int]string", map[int]string{2: "x", -1: "y"}},
		{"map[string][]int", map[string][]int{"k": {1}}},
		{"&point", &point{5, 6, "p"}},
		{"&[]int", &[]int{1, 2}},
		{"bytesField", bytesField{[]byte("ab")}},
		{"holder", holder{nil}},
		{"[]*int", []*int{nil, fakeInt}},
		{"[]complex128", []complex128{complex(1, -2)}},
	},
	"methods": {
		{"color(1)", color(1)},
		{"celsius", celsius{21.5}},
		{"myErr", myErr{42}},
		{"[]color", []color{0, 1, 2}},
		{"paint", paint{2, 3}},
		{"map[color]int", map[color]int{2: 1, 0: 5}},
	},
	"errors": {
		{"errors.New", errors.New("boom")},
		{"Errorf", fmt.Errorf("code %d", 7)},
		{"[]error", []error{errors.New("a"), nil}},
		{"wrapper", wrapper{errors.New("x")}},
		{"map[string]error", map[string]error{"k": errors.New("v")}},
		{"[]myErr", []myErr{{1}}},
	},
	"pointers": {
		{"(*int)(nil)", (*int)(nil)},
		{"(*int)(0x1234abcd)", fakeInt},
		{"unsafe.Pointer(0xdeadbeef)", fakeRaw},
		{"(*point)(nil)", (*point)(nil)},
	},
	"complexes": {
		{"1+2i", complex(1, 2)},
		{"-1.5-0i", complex(-1.5, math.Copysign(0, -1))},
		{"Inf+NaNi", complex(math.Inf(1), math.NaN())},
		{"complex64(0.1+1e21i)", complex64(complex(0.1, 1e21))},
		{"0i", complex(0, 0)},
	},
}

func out(id, s string) { fmt.Printf("%s\t%x\n", id, s) }

func main() {
	data, err := os.ReadFile("formats.txt")
	if err != nil {
		panic(err)
	}
	var groups []string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			groups = strings.Fields(line[1 : len(line)-1])
			continue
		}
		for _, g := range groups {
			values, ok := sets[g]
			if !ok {
				panic("no value set " + g)
			}
			for _, v := range values {
				out(v.name+" "+line, fmt.Sprintf(line, v.v))
			}
		}
	}
	handWritten()
}

// The cases of several operands, of Print and Println, and of the error forms.
func handWritten() {
	p := point{1, 2, "x"}
	b := []byte("hi")
	e := errors.New("boom")

	out("println-mixed", fmt.Sprintln("a", 1, true, 2.5, "b", nil))
	out("println-empty", fmt.Sprintln())
	out("print-empty", fmt.Sprint())
	out("print-spacing", fmt.Sprint("a", 1, 2, "b", "c", 3.5, true, nil, nil, "d"))
	out("print-numbers", fmt.Sprint(1, 2, 3))
	out("print-strings", fmt.Sprint("x", "y", "z"))
	out("print-named-string", fmt.Sprint(name("bob"), 1, 2, name("al")))
	out("print-stringer-int", fmt.Sprint(color(1), 2, color(0)))
	out("print-error", fmt.Sprint(e, 1, "s", errors.New("f")))
	out("print-bytes", fmt.Sprint([]byte("ab"), "c", []byte("d")))
	out("print-nil", fmt.Sprint(nil, nil))
	out("println-floats", fmt.Sprintln(1e6, 1e20, 1e21, 123456789.0, float32(0.1), 3.6, math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)))
	out("println-float32", fmt.Sprintln(float32(16777217), float32(1)/3, float32(1e-45), float32(math.MaxFloat32)))
	out("println-composite", fmt.Sprintln(p, []int{1}, map[string]int{"a": 1}, &point{3, 4, "y"}))
	out("println-pointer", fmt.Sprintln((*int)(nil), fakeInt, (*point)(nil)))
	out("println-errors", fmt.Sprintln(e, fmt.Errorf("wrapped %d", 3)))
	out("println-nested-nil", fmt.Sprintln([]any{nil, 1}, []error{nil}))
	out("println-stringers", fmt.Sprintln(color(2), celsius{-3}, myErr{5}, name("x")))

	out("printf-mixed", fmt.Sprintf("%d %s %v %q %t %x", 42, "hi", 2.5, "q", true, 255))
	out("printf-text-only", fmt.Sprintf("no verbs here"))
	out("printf-newlines", fmt.Sprintf("a\tb\n%d\n", 1))
	out("printf-percent", fmt.Sprintf("100%% %d%%", 5))
	out("printf-percent-flags", fmt.Sprintf("%5%|%-5%|%.2%|"))
	out("missing", fmt.Sprintf("%d %d", 1))
	out("missing-all", fmt.Sprintf("%s %v %5d|"))
	out("extra", fmt.Sprintf("%d", 1, "a", 2.5, nil, e, []int{1}))
	out("extra-no-verbs", fmt.Sprintf("x", 1))
	out("index", fmt.Sprintf("%[2]d %[1]d %d", 1, 2))
	out("index-repeat", fmt.Sprintf("%[1]d %[1]x %[1]o %#[1]x", 64))
	out("index-bad", fmt.Sprintf("%[3]d %[0]d %[x]d %[1]d", 1, 2))
	out("index-unclosed", fmt.Sprintf("%[1d %d", 1, 2))
	out("index-star", fmt.Sprintf("%[3]*.[2]*[1]f|", 12.0, 2, 6))
	out("index-star-width", fmt.Sprintf("%[1]*d|", 5, 6))
	out("index-after-width", fmt.Sprintf("%[2]5d|%[1].2d|", 1, 2))
	out("index-no-extra", fmt.Sprintf("%[1]d", 1, 2))
	out("index-then-next", fmt.Sprintf("%[2]d %d %d", 1, 2, 3))
	out("star", fmt.Sprintf("%*d|%-*d|%.*f|%*.*f|", 5, 1, 4, 2, 2, 1.23456, 8, 3, 2.5))
	out("star-negative", fmt.Sprintf("%*d|%.*d|%0*d|", -5, 1, -1, 7, -4, 3))
	out("star-bad", fmt.Sprintf("%*d|%.*d|", "x", 1, 2.5, 7))
	out("star-missing", fmt.Sprintf("%*d"))
	out("star-too-large", fmt.Sprintf("%*d|", 10000000, 1))
	out("star-uint", fmt.Sprintf("%*d|%.*s|", uint8(3), 1, uint64(2), "abc"))
	out("width-too-large", fmt.Sprintf("%10000000000d|", 1))
	out("noverb", fmt.Sprintf("%"))
	out("noverb-flags", fmt.Sprintf("abc%-5", 1))
	out("noverb-dot", fmt.Sprintf("%5.", 1))
	out("dot-no-digits", fmt.Sprintf("%.d|%.s|%.f|%.x|", 0, "abc", 2.5, 0))
	out("bad-verbs", fmt.Sprintf("%d %s %t %z %e", "hi", 42, 1, 3, true))
	out("bad-verb-flags", fmt.Sprintf("%5z|%-8.2z|%+z|", 1, 2.5, 3))
	out("nil-verbs", fmt.Sprintf("%v %d %s %T %5v| %-6T|%#v|%+v", nil, nil, nil, nil, nil, nil, nil, nil))
	out("w-sprintf", fmt.Sprintf("%w %w", e, 1))
	out("errorf-w", fmt.Errorf("wrap: %w", errors.New("inner")).Error())
	out("errorf-w-nonerror", fmt.Errorf("x %w", 5).Error())
	out("errorf-w-flags", fmt.Errorf("%#w|%+w|%10w|%-8w|", errors.New("e"), errors.New("f"), errors.New("g"), myErr{3}).Error())
	out("errorf-w-nil", fmt.Errorf("x %w", nil).Error())
	out("errorf-plain", fmt.Errorf("code %d: %s", 7, "bad").Error())
	out("error-other-verbs", fmt.Sprintf("%d|%#v|%T|%10.2s|%t|", e, e, e, e, e))
	out("type-verbs", fmt.Sprintf("%T %T %T %T %T %T %T", 1, "s", 2.5, point{}, []int{}, nil, map[string]int{}))
	out("complex-mixed", fmt.Sprintf("%v %.1f %T", complex64(complex(1, 2)), complex(3, -4), complex64(0)))
	out("invalid-verb-utf8", fmt.Sprintf("%\xff|%\xe2\x82|", 1, 2))
	out("format-invalid-utf8", fmt.Sprintf("\xff%d\xfe", 1))
	out("bytes-top", fmt.Sprintf("%v|%d|%s|%q|%x|% X|%#v|%o|%c|%T|%5s|%.1x", b, b, b, b, b, b, b, b, b, b, b, b))
	out("bytes-nested", fmt.Sprintf("%#v|%s|%x|%q", []any{[]byte("a")}, []any{[]byte("a")}, [][]byte{{1, 2}, {3}}, [][]byte{[]byte("q")}))
	out("map-verbs", fmt.Sprintf("%v|%#v|%d|%x", map[string]int{"z": 26, "a": 1}, map[int]bool{3: true, 1: false}, map[string]int{"a": 10}, map[string]string{"k": "v"}))
	out("nested-pointers", fmt.Sprintf("%v|%#v|%d|%+v", []*int{nil, fakeInt}, holder{fakeInt}, holder{fakeInt}, holder{nil}))
	out("stringer-verbs", fmt.Sprintf("%v|%s|%q|%x|%X|%8s|%-7v|%.2s|", color(2), color(2), color(2), color(2), color(2), color(2), color(2), color(2)))
	out("width-unicode", fmt.Sprintf("%6s|%-6s|%6q|%.1q|%6c|", "日本", "日本", "日本", "日本", '日'))
	out("precision-unicode", fmt.Sprintf("%.1s|%.2s|%.3x|%.2q|", "日本語", "\xffabc", "日本", "\xff\xfe\xfd"))
	out("zero-flags", fmt.Sprintf("%06.2f|%-06d|%+06d|%06s|%06v|%06x|%06q|", -1.5, 3, 3, "ab", true, "ab", "ab"))
	out("plus-flags", fmt.Sprintf("%+v|%+d|%+q|%+s|%+x|", 5, 5, "é", "é", "é"))
	out("sharp-flags", fmt.Sprintf("%#v|%#d|%#s|%#t|%#c|%#e|", 5, 5, "s", true, 'c', 1.0))
	out("space-flags", fmt.Sprintf("% v|% d|% s|% q|% t|", 5, -5, "s", "q", true))
	out("huge-precision", fmt.Sprintf("%.1000f|%.60e|%.1080f|%.900e|%.800g", 0.1, 5e-324, 5e-324, math.MaxFloat64, 0.1))
	out("huge-precision-int", fmt.Sprintf("%.100d|%.80x|", -1, 255))
	out("huge-width", fmt.Sprintf("%300d|%-100s|%0200.3f|", 1, "x", -2.5))
	out("unicode-sharp", fmt.Sprintf("%#U %#U %#U %#U %#U", 'x', 0x2028, 0x1F600, -1, 0xD800))
	out("rune-quote", fmt.Sprintf("%q %q %q %q %q %q %+q %+q", '\n', '"', '\\', 0x7f, 0xFFFD, 0x10FFFF, 'é', 0x1F600))

	out("shortest-ties", fmt.Sprintln(float32(1555587.25), float32(-65455.8125), 106779538212252.625, float32(0x1p-12), 0x1p-25, float32(0x1p-54)))
	out("shortest-ties-verbs", fmt.Sprintf("%e %g %.8g", float32(1555587.25), 106779538212252.625, float32(1555587.25)))

	var sample []rune
	for r := rune(0); r <= 0x10FFFF; r += 997 {
		sample = append(sample, r)
	}
	out("isprint-sample", fmt.Sprintf("%q", string(sample)))
	out("isprint-sample-ascii", fmt.Sprintf("%+q", string(sample)))
}
