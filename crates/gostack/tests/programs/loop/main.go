// A loop of package steps long enough to pass a trace table's row limit.
package main

//go:noinline
func step(x int) int { return x*3 + 1 }

func main() {
	sum := 0
	for i := 0; i < 3000; i++ {
		sum += step(i)
	}
	println(sum)
}
