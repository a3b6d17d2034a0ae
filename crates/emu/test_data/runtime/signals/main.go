// Faults the runtime turns into panics: nil pointer, nil func, divide by
// zero, an unmapped address; then an unrecovered nil dereference.
package main

import (
	"fmt"
	"unsafe"
)

type T struct{ a, b int }

func read(p *T) int { return p.b }

func div(a, b int) int { return a / b }

func main() {
	try := func(name string, f func()) {
		defer func() { fmt.Println(name+":", recover()) }()
		f()
	}
	try("nil pointer", func() { fmt.Println(read(nil)) })
	try("nil func", func() {
		var f func()
		f()
	})
	try("divide", func() { fmt.Println(div(7, 0)) })
	try("bad address", func() {
		p := (*int64)(unsafe.Pointer(uintptr(0xdead0000)))
		fmt.Println(*p)
	})
	var p *T
	fmt.Println(p.a)
}
