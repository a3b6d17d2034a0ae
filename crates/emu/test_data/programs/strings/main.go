package main

import "fmt"

func greet(name string) string {
	return "hello, " + name + "!"
}

func count(s string, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
		}
	}
	return n
}

func main() {
	s := greet("gopher")
	fmt.Println(s, len(s))
	fmt.Println(count(s, 'o'), s[7:13])
	fmt.Printf("%q %5d|%-4s|%x\n", s, 42, "ab", 255)
	t := fmt.Sprintf("%d-%d", 3, 4)
	fmt.Println(t + t)
	for i, r := range "héllo" {
		fmt.Print(i, ":", string(r), " ")
	}
	fmt.Println()
	fmt.Println(s == "hello, gopher!", s < "help")
}
