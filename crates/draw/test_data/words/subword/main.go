package main

import "fmt"

//go:noinline
func mix(a bool, b byte, c int16, d int32, e int8) int {
	var x bool = !a
	var y byte = b + 1
	var z int16 = c * 2
	var w int32 = d + 3
	var v int8 = e - 1
	r := 0
	if x {
		r = int(y) + int(z) + int(w) + int(v)
	}
	return r
}

func main() {
	fmt.Println(mix(false, 1, 2, 3, 4))
}
