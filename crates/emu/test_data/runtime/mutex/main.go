// Contention: many goroutines increment under a Mutex, an RWMutex, atomics,
// and a sync.Once; Gosched hands over the processor.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

func main() {
	var mu sync.Mutex
	var rw sync.RWMutex
	var once sync.Once
	var n, m int
	var a atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				mu.Lock()
				n++
				mu.Unlock()
				rw.Lock()
				m++
				rw.Unlock()
				rw.RLock()
				_ = m
				rw.RUnlock()
				a.Add(1)
				if j%10 == 0 {
					runtime.Gosched()
				}
				once.Do(func() { fmt.Println("once") })
			}
		}()
	}
	wg.Wait()
	fmt.Println(n, m, a.Load())
	if n != 5000 || m != 5000 || a.Load() != 5000 {
		fmt.Println("FAIL: lost updates")
	}
	fmt.Println("GOMAXPROCS at least 1:", runtime.GOMAXPROCS(0) >= 1)
}
