// Prints the fmt cases of the emulator's gofmt tests: one line per case,
// `<id>\t<hex of the output>`. Regenerate expected.txt with:
//
//	go run cases.go > expected.txt
package main

import (
	"errors"
	"fmt"
	"math"
)

type point struct {
	X, Y int
	S    string
}

func out(id string, s string) { fmt.Printf("%s\t%x\n", id, s) }

func main() {
	p := point{1, -2, "hi"}
	out("println-mixed", fmt.Sprintln("a", 1, true, 2.5, "b", nil))
	out("print-spacing", fmt.Sprint("a", 1, 2, "b", "c", 3.5, true))
	out("floats-v", fmt.Sprintln(1e6, 123456.0, 1234567.0, 1e20, 1e21, 0.0001, 0.00001, 100.0, 3.0, 1.5e-7, 2.5e-310, math.Copysign(0, -1), 1.0/3))
	out("floats-special", fmt.Sprintln(math.Inf(1), math.Inf(-1), math.NaN()))
	out("float32", fmt.Sprintln(float32(0.1), float32(16777217), float32(1e10)))
	out("float-verbs", fmt.Sprintf("%g %g %e %E %f %.3g %8.2f|%-8.2f|%+.1f|%08.3f|% f", 1e6, 123456.0, 123456.789, 0.000123, 1.0/3, 1234.5678, 3.14159, 2.5, 2.25, -3.14159, 2.0))
	out("float-prec-v", fmt.Sprintf("%.2v %6.3v %.0f %.1e %G", 3.14159, 2.0, 2.5, 0.0, 1e-10))
	out("float-inf-verbs", fmt.Sprintf("%5.1f|%+f|% f|%08f", math.Inf(1), math.NaN(), math.NaN(), math.Inf(-1)))
	out("ints", fmt.Sprintf("%d %5d %-5d| %05d %+d %x %X %#x %o %#o %O %b %c %q %U", 42, 42, 42, -42, 7, 255, 255, 255, 8, 8, 8, 5, 'G', 'x', 0x1F600))
	out("int-prec", fmt.Sprintf("%.3d|%8.3d|%.0d|% d|%#b", 7, -7, 0, 5, 5))
	out("int-types", fmt.Sprintln(int8(-128), uint8(255), int64(math.MinInt64), uint64(math.MaxUint64), uintptr(4096)))
	out("strings", fmt.Sprintf("%s|%q|%10s|%-10s|%.2s|%x|% x|%#x|%X", "go", "a\"b\n", "right", "left", "héllo", "hi", "hi", "hi", "Az"))
	out("quote-invalid", fmt.Sprintf("%q %q", "\xff\x00é\t", "\u2028"))
	out("bools", fmt.Sprintf("%t %v %5t", true, false, true))
	out("structs", fmt.Sprintf("%v %+v %#v", p, p, p))
	out("slices", fmt.Sprintf("%v %d %x %#v", []int{1, 2, 3}, []int{4, 5}, []int{10, 11}, []int{1, 2}))
	out("nested", fmt.Sprintln([]point{{1, 2, "a"}}, [2][2]int{{1, 2}, {3, 4}}))
	out("errors", fmt.Sprintln(errors.New("boom"), fmt.Errorf("wrapped %d", 3)))
	out("error-verbs", fmt.Sprintf("%v|%s|%q", errors.New("e1"), errors.New("e2"), errors.New("e3")))
	out("nil", fmt.Sprintf("%v %d %s", nil, nil, nil))
	out("bad-verb", fmt.Sprintf("%d %s %t %z", "hi", 42, 1, 3))
	out("missing", fmt.Sprintf("%d %d", 1))
	out("extra", fmt.Sprintf("%d", 1, "a", 2.5))
	out("percent", fmt.Sprintf("100%% %d%%", 5))
	out("star", fmt.Sprintf("%*d|%-*d|%.*f", 5, 1, 4, 2, 2, 3.14159))
	out("index", fmt.Sprintf("%[2]d %[1]d %d", 1, 2))
	out("type", fmt.Sprintf("%T %T %T %T %T", 1, "s", 2.5, p, []int{}))
	out("noverb", fmt.Sprintf("%"))
}
