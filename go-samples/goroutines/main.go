package main

import "fmt"

//go:noinline
func square(id, x int, out chan<- int) {
	sq := x * x
	out <- sq + id
}

func main() {
	out := make(chan int)
	x := 7
	go square(100, x, out)
	v := <-out
	fmt.Println(v)
}
