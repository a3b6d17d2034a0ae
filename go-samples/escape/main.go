package main

import "fmt"

type point struct{ x, y int }

// onStack's p never outlives the call: it stays in onStack's frame.
//
//go:noinline
func onStack(x, y int) int {
	p := point{x, y}
	q := &p
	return q.x + q.y
}

// newPoint returns &p: p outlives the call, so it lives on the heap.
//
//go:noinline
func newPoint(x, y int) *point {
	p := point{x, y}
	return &p
}

// squares' slice has a constant size and stays inside the call: its
// backing array is in squares' frame.
//
//go:noinline
func squares() int {
	s := make([]int, 4)
	for i := range s {
		s[i] = i * i
	}
	return s[3]
}

// grow's slice is returned: its backing array is on the heap.
//
//go:noinline
func grow(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i * i
	}
	return s
}

// counter's n outlives the call inside the closure it returns.
//
//go:noinline
func counter() func() int {
	n := 0
	return func() int {
		n++
		return n
	}
}

func main() {
	a := onStack(1, 2)
	p := newPoint(3, 4)
	b := squares()
	s := grow(3)
	next := counter()
	next()
	label := fmt.Sprint("n=", next())
	fmt.Println(a, p.y, b, s, label)
}
