// Goroutines and channels: unbuffered and buffered sends, close and range,
// a pipeline, and a WaitGroup; each check prints FAIL when it does not hold.
package main

import (
	"fmt"
	"sync"
)

func producer(n int, out chan<- int) {
	for i := 1; i <= n; i++ {
		out <- i
	}
	close(out)
}

func square(in <-chan int, out chan<- int) {
	for v := range in {
		out <- v * v
	}
	close(out)
}

func main() {
	a := make(chan int)
	b := make(chan int, 4)
	go producer(100, a)
	go square(a, b)
	sum := 0
	for v := range b {
		sum += v
	}
	fmt.Println("sum of squares:", sum)
	if sum != 338350 {
		fmt.Println("FAIL: sum of squares")
	}

	var wg sync.WaitGroup
	results := make([]int, 8)
	for i := range results {
		wg.Add(1)
		// i passed by value: before Go 1.22 every iteration shares one i.
		go func(i int) {
			defer wg.Done()
			results[i] = i * 10
		}(i)
	}
	wg.Wait()
	fmt.Println(results)

	done := make(chan struct{})
	var order []int
	var mu sync.Mutex
	for i := 0; i < 3; i++ {
		go func(i int) {
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			done <- struct{}{}
		}(i)
	}
	for i := 0; i < 3; i++ {
		<-done
	}
	fmt.Println("goroutines finished:", len(order))
	v, ok := <-b
	fmt.Println("closed channel:", v, ok)
}
