// Allocates a gibibyte at a time, kept, until memory runs out.
package main

import "fmt"

var keep [][]byte

func main() {
	fmt.Println("allocating")
	for i := 0; i < 64; i++ {
		b := make([]byte, 1<<30)
		b[len(b)-1] = 1
		keep = append(keep, b)
		fmt.Println(i+1, "GiB")
	}
}
