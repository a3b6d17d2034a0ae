// The math functions with assembly paths for the baseline CPU (Floor,
// Ceil, Trunc use CMPSD without SSE4.1; on 386, x87 arithmetic), over
// ordinary and special values.
package main

import (
	"fmt"
	"math"
)

func main() {
	values := []float64{0, math.Copysign(0, -1), 0.5, -0.5, 1.5, -1.5, 2.5, 1e300, -1e300,
		4503599627370495.5, -4503599627370495.5, 1 << 53, math.Inf(1), math.Inf(-1), math.NaN(),
		123.456, -123.456, 0x1p-1022, -0x1p-1022}
	for _, x := range values {
		fmt.Printf("%v: floor %v ceil %v trunc %v round %v even %v sqrt %v\n", x,
			math.Floor(x), math.Ceil(x), math.Trunc(x), math.Round(x), math.RoundToEven(x), math.Sqrt(x))
		fmt.Printf("  bits %x %x %x\n", math.Float64bits(math.Floor(x)), math.Float64bits(math.Ceil(x)),
			math.Float64bits(math.Trunc(x)))
		fmt.Printf("  exp %v log %v mod %v\n", math.Exp(x/1000), math.Log(math.Abs(x)), math.Mod(x, 7))
		// On 386, Hypot computes in x87 registers; kept to ratios a double holds.
		if a := math.Abs(x); a > 1e-100 && a < 1e100 {
			fmt.Printf("  hypot %v %v\n", math.Hypot(x, 3), math.Hypot(3, x))
		}
	}
}
