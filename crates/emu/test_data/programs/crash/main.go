package main

import "fmt"

//go:noinline
func at(xs []int, i int) int { return xs[i] }

func main() {
	defer fmt.Println("deferred calls run before the program dies")
	xs := []int{1, 2, 3}
	fmt.Println(at(xs, 1))
	fmt.Println(at(xs, len(xs)+2))
}
