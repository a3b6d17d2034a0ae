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
// need more than the 4 KiB the goroutine's stack has when main starts (2 KiB
// at birth, grown once by the init functions fmt brings): the stack grows.
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
