// runtime.Goexit runs a goroutine's defers; the last goroutine blocked on a
// channel nobody sends to is Go's deadlock error.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	done := make(chan bool)
	go func() {
		defer func() { done <- true }()
		defer fmt.Println("deferred before Goexit")
		runtime.Goexit()
		fmt.Println("FAIL: after Goexit")
	}()
	<-done
	fmt.Println("goroutine done")
	block := make(chan int)
	<-block
}
