package main

import "fmt"

// fact calls itself n-1 times, one frame per call.
//
//go:noinline
func fact(n int) int {
	if n <= 1 {
		return 1
	}
	return n * fact(n-1)
}

// deep keeps a 16-word array in every frame, so a hundred nested calls
// need more than the 2 KiB a goroutine stack starts with: the stack grows.
//
//go:noinline
func deep(n int) int {
	var buf [16]int
	buf[n%16] = n
	if n == 0 {
		return buf[0]
	}
	return deep(n-1) + buf[n%16]
}

func main() {
	fmt.Println(fact(5))
	fmt.Println(deep(100))
}
