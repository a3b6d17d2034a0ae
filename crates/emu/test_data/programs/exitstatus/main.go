// The exit status a parent sees is the low 8 bits of what the program
// passed to exit: 259 is 3.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Printf("A=%s B=%s\n", os.Getenv("A"), os.Getenv("B"))
	os.Exit(259)
}
