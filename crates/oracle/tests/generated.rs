//! The names oracle over programs no one wrote by hand: a seeded generator
//! writes functions with random signatures (integers of every size, bools,
//! floats, complex numbers, strings, slices, interfaces, structs of one to
//! ten words, arrays of one and three elements, pointers; value and pointer
//! receivers; variadic parameters; more arguments and results than there
//! are registers), 50 to a program and 500 in all, each called from `main`.
//! Every name must agree with Delve at every moment, on amd64 and 386,
//! optimised and with `-N -l`.

use std::fmt::Write as _;
use std::path::Path;

use gostack_oracle::{Arch, Moments, NamesReport, verify_names};
use gostack_toolchain::{Cache, Go};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A Go type the generator uses: its name, how a value of it adds to an
/// int (`{}` is the value), a value of it made from the int `acc`, and a
/// literal for a call.
struct Ty {
    name: &'static str,
    to_int: &'static str,
    from_acc: &'static str,
    literal: &'static str,
}

const TYPES: &[Ty] = &[
    Ty {
        name: "int",
        to_int: "{}",
        from_acc: "acc",
        literal: "3",
    },
    Ty {
        name: "int8",
        to_int: "int({})",
        from_acc: "int8(acc)",
        literal: "-4",
    },
    Ty {
        name: "int16",
        to_int: "int({})",
        from_acc: "int16(acc)",
        literal: "300",
    },
    Ty {
        name: "int32",
        to_int: "int({})",
        from_acc: "int32(acc)",
        literal: "-70000",
    },
    Ty {
        name: "uint8",
        to_int: "int({})",
        from_acc: "uint8(acc)",
        literal: "200",
    },
    Ty {
        name: "uint64",
        to_int: "int({})",
        from_acc: "uint64(acc)",
        literal: "9",
    },
    Ty {
        name: "bool",
        to_int: "b2i({})",
        from_acc: "acc%2 == 0",
        literal: "true",
    },
    Ty {
        name: "float64",
        to_int: "int({})",
        from_acc: "float64(acc) / 2",
        literal: "2.5",
    },
    Ty {
        name: "float32",
        to_int: "int({})",
        from_acc: "float32(acc) * 2",
        literal: "1.25",
    },
    Ty {
        name: "complex128",
        to_int: "int(real({}))",
        from_acc: "complex(float64(acc), 1)",
        literal: "complex(2, 3)",
    },
    Ty {
        name: "string",
        to_int: "len({})",
        from_acc: "\"ok\"",
        literal: "\"abc\"",
    },
    Ty {
        name: "[]int",
        to_int: "len({})",
        from_acc: "[]int{acc}",
        literal: "[]int{1, 2}",
    },
    Ty {
        name: "error",
        to_int: "nz({})",
        from_acc: "nil",
        literal: "nil",
    },
    Ty {
        name: "any",
        to_int: "nz({})",
        from_acc: "any(acc)",
        literal: "any(5)",
    },
    Ty {
        name: "S2",
        to_int: "{0}.a + {0}.b",
        from_acc: "S2{acc, acc + 1}",
        literal: "S2{1, 2}",
    },
    Ty {
        name: "S3",
        to_int: "int({0}.x) + int({0}.y) + b2i({0}.z)",
        from_acc: "S3{int8(acc), int32(acc), true}",
        literal: "S3{1, 2, true}",
    },
    Ty {
        name: "SF",
        to_int: "int({0}.f) + {0}.n",
        from_acc: "SF{float64(acc), acc}",
        literal: "SF{1.5, 4}",
    },
    Ty {
        name: "Big",
        to_int: "{0}.A + {0}.J",
        from_acc: "Big{A: acc, J: acc}",
        literal: "Big{A: 1, J: 10}",
    },
    Ty {
        name: "[3]int",
        to_int: "{0}[0] + {0}[2]",
        from_acc: "[3]int{acc, 0, acc}",
        literal: "[3]int{1, 2, 3}",
    },
    Ty {
        name: "[1]int",
        to_int: "{0}[0]",
        from_acc: "[1]int{acc}",
        literal: "[1]int{6}",
    },
    Ty {
        name: "*S2",
        to_int: "{0}.a",
        from_acc: "&S2{acc, 1}",
        literal: "&S2{7, 8}",
    },
];

const PRELUDE: &str = "package main

import \"fmt\"

type S2 struct{ a, b int }

type S3 struct {
	x int8
	y int32
	z bool
}

type SF struct {
	f float64
	n int
}

type Big struct{ A, B, C, D, E, F, G, H, I, J int }

type T struct{ k int }

var sink int

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nz(v any) int {
	if v != nil {
		return 1
	}
	return 0
}
";

fn expr(t: &Ty, value: &str) -> String {
    t.to_int.replace("{0}", value).replace("{}", value)
}

/// A program of `n` generated functions and the `main` that calls them.
fn program(rng: &mut Rng, n: usize) -> String {
    let mut src = String::from(PRELUDE);
    let mut calls = String::new();
    for f in 0..n {
        let args: Vec<&Ty> = (0..rng.below(13))
            .map(|_| &TYPES[rng.below(TYPES.len())])
            .collect();
        let results: Vec<&Ty> = (0..rng.below(11))
            .map(|_| &TYPES[rng.below(TYPES.len())])
            .collect();
        let named = rng.below(2) == 0;
        let variadic = rng.below(5) == 0;
        let receiver = match rng.below(5) {
            0 => Some("t T"),
            1 => Some("t *T"),
            _ => None,
        };
        let mut params: Vec<String> = args
            .iter()
            .enumerate()
            .map(|(i, t)| format!("p{i} {}", t.name))
            .collect();
        if variadic {
            params.push("vs ...int".into());
        }
        let res: Vec<String> = results
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if named {
                    format!("r{i} {}", t.name)
                } else {
                    t.name.to_string()
                }
            })
            .collect();
        let res = match (res.len(), named) {
            (0, _) => String::new(),
            (1, false) => format!(" {}", res[0]),
            _ => format!(" ({})", res.join(", ")),
        };
        let name = format!("f{f}");
        let recv = receiver.map_or(String::new(), |r| format!("({r}) "));
        writeln!(
            src,
            "\n//go:noinline\nfunc {recv}{name}({}){res} {{",
            params.join(", ")
        )
        .unwrap();
        src.push_str("\tacc := 1\n");
        if receiver.is_some() {
            src.push_str("\tacc += t.k\n");
        }
        for (i, t) in args.iter().enumerate() {
            writeln!(src, "\tacc += {}", expr(t, &format!("p{i}"))).unwrap();
        }
        if variadic {
            src.push_str("\tfor _, v := range vs {\n\t\tacc += v\n\t}\n");
        }
        src.push_str("\tsink += acc\n");
        if named {
            for (i, t) in results.iter().enumerate() {
                writeln!(src, "\tr{i} = {}", t.from_acc).unwrap();
            }
            src.push_str("\treturn\n}\n");
        } else if results.is_empty() {
            src.push_str("}\n");
        } else {
            let values: Vec<&str> = results.iter().map(|t| t.from_acc).collect();
            writeln!(src, "\treturn {}\n}}", values.join(", ")).unwrap();
        }
        // The call, its results added to the sink.
        let mut actual: Vec<String> = args.iter().map(|t| t.literal.to_string()).collect();
        if variadic {
            actual.extend(["1", "2", "3"].map(String::from));
        }
        let callee = match receiver {
            Some("t T") => format!("T{{{f}}}.{name}"),
            Some(_) => format!("(&T{{{f}}}).{name}"),
            None => name.clone(),
        };
        let outs: Vec<String> = (0..results.len()).map(|i| format!("v{f}_{i}")).collect();
        if outs.is_empty() {
            writeln!(calls, "\t{callee}({})", actual.join(", ")).unwrap();
        } else {
            writeln!(
                calls,
                "\t{} := {callee}({})",
                outs.join(", "),
                actual.join(", ")
            )
            .unwrap();
            for (o, t) in outs.iter().zip(&results) {
                writeln!(calls, "\tsink += {}", expr(t, o)).unwrap();
            }
        }
    }
    writeln!(src, "\nfunc main() {{\n{calls}\tfmt.Println(sink)\n}}").unwrap();
    src
}

#[test]
fn generated_functions_agree_with_delve() {
    let go = Go::find().expect("Go is installed");
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle-cache"));
    let dir = tempfile::TempDir::new().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Every program in every configuration, two at a time (one per core).
    let mut jobs = Vec::new();
    for p in 0..10 {
        let src = program(&mut rng, 50);
        let path = dir.path().join(format!("gen{p}")).join("main.go");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &src).unwrap();
        for arch in [Arch::Amd64, Arch::I386] {
            for flags in [vec![], vec!["-N".to_string(), "-l".to_string()]] {
                jobs.push((p, path.clone(), src.clone(), arch, flags));
            }
        }
    }
    let jobs = std::sync::Mutex::new(jobs.into_iter());
    let total = std::sync::Mutex::new(NamesReport::default());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some((p, path, src, arch, flags)) = jobs.lock().unwrap().next() else {
                        break;
                    };
                    let what = format!("program {p} {arch} {flags:?}");
                    let r = verify_names(&go, &cache, &path, arch, &flags, Moments::Calls)
                        .unwrap_or_else(|e| panic!("{what}: {e}\n{src}"));
                    println!("{what}: {}", r.to_string().lines().next().unwrap());
                    if !r.disagreements.is_empty() {
                        // Keep the program to look at.
                        let keep =
                            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("gen{p}.go"));
                        std::fs::write(&keep, &src).unwrap();
                    }
                    total.lock().unwrap().absorb(&what, &r);
                }
            });
        }
    });
    let total = total.into_inner().unwrap();
    println!("500 generated functions, amd64 and 386, in all: {total}");
    assert!(total.moments > 1500 && total.compared > 4000, "{total}");
    assert!(
        total.disagreements.is_empty(),
        "{}",
        total.disagreements.join("\n")
    );
}
