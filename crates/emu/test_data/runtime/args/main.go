// What the process sees: arguments, environment, standard input, exit codes.
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	fmt.Println("args:", len(os.Args)-1, os.Args[1:])
	fmt.Println("name:", filepath.Base(os.Args[0]) != "")
	fmt.Println("HOME set:", os.Getenv("GOSTACK_NEVER_SET") != "")
	sc := bufio.NewScanner(os.Stdin)
	lines := 0
	for sc.Scan() {
		lines++
	}
	fmt.Println("stdin lines:", lines)
	defer fmt.Println("not printed: os.Exit skips defers")
	os.Exit(3)
}
