// A recursion that never ends: Go's own "goroutine stack exceeds" and
// "fatal error: stack overflow", exit status 2 (the limit lowered to keep it short).
package main

import (
	"fmt"
	"runtime/debug"
)

func deep(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	return deep(n+1) + int(pad[7])
}

func main() {
	fmt.Println("old limit:", debug.SetMaxStack(4<<20))
	fmt.Println(deep(0))
}
