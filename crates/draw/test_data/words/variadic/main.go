package main

import "fmt"

//go:noinline
func sum(nums ...int) int {
	t := 0
	for _, n := range nums {
		t += n
	}
	return t
}

func main() {
	fmt.Println(sum(1, 2, 3))
}
