// Pages made inaccessible (mprotect PROT_NONE) fault when read and keep
// their bytes for when access comes back; pages mapped without access (a
// reservation) read as zeros once access is allowed.
package main

import (
	"fmt"
	"runtime/debug"
	"syscall"
)

// read reads b[i], or says why it could not.
func read(b []byte, i int) (v byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return b[i], nil
}

func main() {
	debug.SetPanicOnFault(true)
	page := syscall.Getpagesize()
	anon := syscall.MAP_ANON | syscall.MAP_PRIVATE
	b, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, anon)
	if err != nil {
		panic(err)
	}
	b[0], b[page] = 7, 9
	fmt.Println("no access:", syscall.Mprotect(b[page:], syscall.PROT_NONE))
	fmt.Println(read(b, 0))
	fmt.Println(read(b, page))
	fmt.Println("read again:", syscall.Mprotect(b[page:], syscall.PROT_READ))
	fmt.Println(read(b, page))

	r, err := syscall.Mmap(-1, 0, page, syscall.PROT_NONE, anon)
	if err != nil {
		panic(err)
	}
	fmt.Println(read(r, 10))
	fmt.Println("read and write:", syscall.Mprotect(r, syscall.PROT_READ|syscall.PROT_WRITE))
	fmt.Println(read(r, 10))
	r[10] = 5
	fmt.Println(read(r, 10))
}
