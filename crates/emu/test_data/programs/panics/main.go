package main

import "fmt"

// Each function makes the runtime panic in its own way; a deferred closure
// recovers and reports what it got.

var (
	zero  = 0
	neg   = -1
	two   = 2
	nilp  *int
	xs    = []int{1, 2, 3}
	five  = 5
	names map[string]int
	ids   map[int64]int
	small map[int32]int
	pairs map[[3]int]int
)

func report(what string, r any) {
	fmt.Println(what, "->", r)
}

func divide() int {
	defer func() { report("divide", recover()) }()
	return 1 / zero
}

func shift() int {
	defer func() { report("shift", recover()) }()
	return 1 << neg
}

func nilDeref() int {
	defer func() { report("nil", recover()) }()
	return *nilp
}

func index() int {
	defer func() { report("index", recover()) }()
	return xs[five]
}

func slice() []int {
	defer func() { report("slice", recover()) }()
	return xs[:five]
}

func makeLen() []int {
	defer func() { report("make len", recover()) }()
	return make([]int, neg)
}

func makeCap() []int {
	defer func() { report("make cap", recover()) }()
	return make([]int, two, 1)
}

func mapString() {
	defer func() { report("map string", recover()) }()
	names["a"] = 1
}

func mapInt64() {
	defer func() { report("map int64", recover()) }()
	ids[1] = 1
}

func mapInt32() {
	defer func() { report("map int32", recover()) }()
	small[1] = 1
}

func mapArray() {
	defer func() { report("map array", recover()) }()
	pairs[[3]int{1, 2, 3}] = 1
}

func explicit() {
	defer func() { report("panic", recover()) }()
	panic("by hand")
}

func main() {
	divide()
	shift()
	nilDeref()
	index()
	slice()
	makeLen()
	makeCap()
	mapString()
	mapInt64()
	mapInt32()
	mapArray()
	explicit()
	fmt.Println("done")
}
