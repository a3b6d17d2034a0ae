// select over several channels, with default, timeouts and a nil channel.
package main

import (
	"fmt"
	"time"
)

func main() {
	c1 := make(chan string)
	c2 := make(chan string)
	go func() {
		time.Sleep(20 * time.Millisecond)
		c1 <- "one"
	}()
	go func() {
		time.Sleep(5 * time.Millisecond)
		c2 <- "two"
	}()
	for i := 0; i < 2; i++ {
		select {
		case m := <-c1:
			fmt.Println("received", m)
		case m := <-c2:
			fmt.Println("received", m)
		}
	}
	select {
	case m := <-c1:
		fmt.Println("FAIL: unexpected", m)
	default:
		fmt.Println("nothing ready")
	}
	var never chan int
	select {
	case <-never:
		fmt.Println("FAIL: nil channel")
	case <-time.After(30 * time.Millisecond):
		fmt.Println("timed out")
	}
	t := time.NewTicker(2 * time.Millisecond)
	n := 0
	for range t.C {
		n++
		if n == 5 {
			t.Stop()
			break
		}
	}
	fmt.Println("ticks:", n)
}
