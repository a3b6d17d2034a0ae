package main

import "fmt"

type counter struct{ n int }

//go:noinline
func (c *counter) add(d int) int {
	c.n += d
	return c.n
}

type adder interface{ add(d int) int }

// byRef's closure changes byRef's own x: it captures x by reference.
//
//go:noinline
func byRef() int {
	x := 10
	bump := func(d int) { x += d }
	bump(5)
	return x
}

// total's sum outlives the call, so sum and the closure live on the heap.
//
//go:noinline
func total() func(int) int {
	sum := 0
	return func(d int) int {
		sum += d
		return sum
	}
}

// bound calls a method value: c is bound into a closure.
//
//go:noinline
func bound(c *counter) int {
	f := c.add
	return f(3)
}

// dynamic calls add through the interface's itab.
//
//go:noinline
func dynamic(a adder) int {
	return a.add(4)
}

func main() {
	c := &counter{}
	acc := total()
	acc(1)
	fmt.Println(dynamic(c), byRef(), acc(2), bound(c))
}
