package main

func main() {
	x := 42
	println("x =", x, true, -7, uint(3))
	var p *int
	println(p == nil, "end")
}
