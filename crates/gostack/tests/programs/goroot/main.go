// Reads a file of Go's own tree, which runtime.GOROOT names.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Println("before")
	b, err := os.ReadFile(runtime.GOROOT() + "/VERSION")
	fmt.Println(len(b) > 0, err)
}
