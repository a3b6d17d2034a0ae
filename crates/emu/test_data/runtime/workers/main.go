// Two goroutines call the same function: the pictures name the goroutine.
package main

import "fmt"

//go:noinline
func work(n int) int { return n * 2 }

func worker(id int, out chan<- int) {
	out <- work(id)
}

func main() {
	out := make(chan int)
	go worker(1, out)
	go worker(2, out)
	a, b := <-out, <-out
	fmt.Println(a + b)
}
