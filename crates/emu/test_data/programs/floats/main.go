package main

import "fmt"

//go:noinline
func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

//go:noinline
func scale(x float32, by float64) float64 {
	return float64(x) * by
}

func main() {
	xs := []float64{1.5, 2.25, 3.125, 10}
	fmt.Println(mean(xs))
	fmt.Println(scale(0.1, 3), 1e21, 1e-7, 100.0/3)
	fmt.Printf("%.2f %8.3f %e %g\n", mean(xs), 3.14159, 123456.789, 0.000012)
	n := int(mean(xs) * 100)
	fmt.Println(n, float64(n)/7)
	var f32 float32 = 16777217
	fmt.Println(f32, -0.0, 2.5e-300*1e-10)
}
