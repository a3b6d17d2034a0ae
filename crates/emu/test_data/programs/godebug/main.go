// A //go:debug line sets a GODEBUG default that go build links into the
// program: with panicnil=1, panic(nil) recovers as nil (Go 1.20's way).
//go:debug panicnil=1

package main

import "fmt"

func main() {
	defer func() {
		r := recover()
		fmt.Println("recovered nil:", r == nil)
	}()
	panic(nil)
}
