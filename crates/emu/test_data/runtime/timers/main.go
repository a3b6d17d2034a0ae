// Timers and the clock: Sleep, AfterFunc, Since; time must pass.
package main

import (
	"fmt"
	"sync"
	"time"
)

func main() {
	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	if d := time.Since(start); d < 50*time.Millisecond {
		fmt.Println("FAIL: slept only", d)
	}
	var wg sync.WaitGroup
	wg.Add(3)
	var mu sync.Mutex
	var fired []int
	for _, ms := range []int{30, 10, 20} {
		ms := ms
		time.AfterFunc(time.Duration(ms)*time.Millisecond, func() {
			mu.Lock()
			fired = append(fired, ms)
			mu.Unlock()
			wg.Done()
		})
	}
	wg.Wait()
	fmt.Println("fired in order:", fired)
	deadline := time.Now().Add(2 * time.Millisecond)
	spins := 0
	for time.Now().Before(deadline) {
		spins++
	}
	fmt.Println("busy wait ended:", spins > 0)
	tm := time.NewTimer(time.Hour)
	fmt.Println("stopped:", tm.Stop())
}
