package main

import "fmt"

func sum(xs []int) (total int) {
	for _, x := range xs {
		total += x
	}
	return
}

func main() {
	var xs []int
	for i := 0; i < 20; i++ {
		xs = append(xs, i*i)
	}
	fmt.Println(len(xs), cap(xs) >= 20, sum(xs))
	ys := xs[5:10]
	ys[0] = -1
	fmt.Println(xs[5], ys, len(ys), cap(ys))
	zs := make([]int, 3, 10)
	copy(zs, xs[10:])
	fmt.Println(zs)
	grid := [3][3]int{}
	for i := range grid {
		grid[i][i] = i + 1
	}
	fmt.Println(grid)
	bs := []byte("hello")
	bs[0] = 'j'
	fmt.Println(string(bs), len(bs))
}
