package main

import (
	"fmt"
	"os"
)

// Celsius prints itself through a value-receiver String method.
type Celsius float64

func (c Celsius) String() string { return fmt.Sprintf("%.1f°C", float64(c)) }

// Point prints itself through a pointer-receiver String method.
type Point struct{ X, Y int }

func (p *Point) String() string { return fmt.Sprintf("(%d,%d)", p.X, p.Y) }

// NotFound is an error type of the program's own.
type NotFound struct{ Name string }

func (e NotFound) Error() string { return "no " + e.Name }

// Both has Error and String: fmt prefers Error.
type Both int

func (b Both) Error() string  { return "error " + fmt.Sprint(int(b)) }
func (b Both) String() string { return "string" }

func lookup(name string) error {
	if name == "" {
		return NotFound{"name"}
	}
	return nil
}

func main() {
	fmt.Println(Celsius(21.5), &Point{1, 2})
	fmt.Printf("%v %s %q %d %x\n", Celsius(3), &Point{3, 4}, Celsius(-2), Point{5, 6}, Celsius(1))
	err := lookup("")
	fmt.Println(err, lookup("x"))
	fmt.Printf("[%v] [%+v]\n", err, Both(7))
	s := fmt.Sprint(Celsius(-1), " ", Both(2))
	fmt.Println(s, len(s))
	fmt.Print(Celsius(0), Celsius(1), "\n")
	wrapped := fmt.Errorf("lookup: %w", err)
	fmt.Println(wrapped)
	fmt.Fprintln(os.Stderr, "stderr:", &Point{7, 8})
	fmt.Println(fmt.Sprintln(&Point{9, 9}) == "(9,9)\n")
}
