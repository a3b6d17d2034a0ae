package main

import "fmt"

func f(a int) int { return a * 100 }
func g(a int) int { return a * 100 }

func main() {
	x := f(1)
	y := g(2)
	fmt.Println(x, y)
}
