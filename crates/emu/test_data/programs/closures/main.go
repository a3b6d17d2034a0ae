package main

import "fmt"

func counter() func() int {
	n := 0
	return func() int {
		n++
		return n
	}
}

func apply(xs []int, f func(int) int) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func main() {
	c := counter()
	c()
	c()
	fmt.Println("counter", c())
	k := 10
	add := func(x int) int { return x + k }
	fmt.Println(apply([]int{1, 2, 3}, add))
	k = 100
	fmt.Println(apply([]int{1, 2, 3}, add))
	fs := make([]func() int, 0)
	for i := 0; i < 3; i++ {
		fs = append(fs, func() int { return i * i })
	}
	for _, f := range fs {
		fmt.Print(f(), " ")
	}
	fmt.Println()
}
