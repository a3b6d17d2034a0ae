package main

import "fmt"

// walk reads the caller's local through up, keeps its own in here and
// passes &here down: each call holds a pointer into the frame above it.
//
//go:noinline
func walk(n int, up *int) int {
	here := *up + 1
	if n == 0 {
		return here
	}
	return walk(n-1, &here)
}

// fill's array takes most of the 4 KiB the goroutine's stack has when main
// starts (2 KiB at birth, grown once by the init functions fmt brings), so
// that compiled with -N -l on amd64 the third call of walk finds too little
// stack left and the stack grows.
//
//go:noinline
func fill(k int) int {
	var big [340]int
	big[k] = k
	return walk(4, &big[k])
}

func main() {
	fmt.Println(fill(7))
}
