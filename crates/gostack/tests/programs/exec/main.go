// Starts another program: by name through PATH, or by its path.
package main

import (
	"fmt"
	"os"
	"os/exec"
)

func main() {
	fmt.Println("before")
	name := "go"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	out, err := exec.Command(name, "version").Output()
	fmt.Println(string(out), err)
}
