// The garbage collector: forced collections, finalizers, MemStats, and
// enough allocation to trigger collections on its own.
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

type node struct {
	next *node
	data [64]byte
}

func main() {
	done := make(chan string, 1)
	func() {
		x := new(node)
		runtime.SetFinalizer(x, func(n *node) { done <- "finalized" })
	}()
	runtime.GC()
	runtime.GC()
	fmt.Println(<-done)
	var keep *node
	for i := 0; i < 20000; i++ {
		n := &node{next: keep}
		if i%100 == 0 {
			keep = n
		}
	}
	count := 0
	for p := keep; p != nil; p = p.next {
		count++
	}
	fmt.Println("kept", count)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println("collections happened:", ms.NumGC >= 2)
	debug.FreeOSMemory()
	fmt.Println("ok")
}
