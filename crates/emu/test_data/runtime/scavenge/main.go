// Memory given back to Linux reads as zero when it is used again: the
// allocator of Go 1.26 on does not clear a span whose pages it released with
// MADV_DONTNEED, so a new object there is zero only if the pages are.
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"syscall"
)

const size = 64 << 10

var keep [][]byte

func fill() {
	keep = nil
	for i := 0; i < 64; i++ {
		b := make([]byte, size)
		for j := range b {
			b[j] = 0xab
		}
		keep = append(keep, b)
	}
}

func main() {
	fill()
	keep = nil
	runtime.GC()
	debug.FreeOSMemory()
	dirty := 0
	for i := 0; i < 64; i++ {
		b := make([]byte, size)
		for _, c := range b {
			if c != 0 {
				dirty++
			}
		}
		keep = append(keep, b)
	}
	fmt.Println("bytes not zero in new objects:", dirty)

	// The system call itself, on a mapping of our own.
	m, err := syscall.Mmap(-1, 0, 3*4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	for i := range m {
		m[i] = 7
	}
	if err := syscall.Madvise(m[4096:8192], syscall.MADV_DONTNEED); err != nil {
		panic(err)
	}
	fmt.Println("after MADV_DONTNEED of the middle page:", m[0], m[4096], m[8191], m[8192])
	fmt.Println("an unknown advice:", syscall.Madvise(m[:4096], 1000))
}
