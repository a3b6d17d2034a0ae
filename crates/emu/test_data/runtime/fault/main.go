// A write to the last word of the address space: Go's own "unexpected
// fault address" and "fatal error: fault", exit status 2, after the output
// printed before it.
package main

import (
	"fmt"
	"unsafe"
)

func main() {
	fmt.Println("before the fault")
	p := (*int32)(unsafe.Pointer(^uintptr(3)))
	*p = 1
	fmt.Println("not reached")
}
