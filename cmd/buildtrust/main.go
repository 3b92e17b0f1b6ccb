package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// Exit codes (see the package documentation).
const (
	exitOK       = 0 // verified, PASSED, valid, or the requested output printed
	exitRejected = 1 // the evidence was examined and rejected
	exitUsage    = 2 // unusable input: bad flags, unreadable or unrecognised files, invalid policy
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand: its name, a one-line summary for the command
// list, and the function that runs it with the arguments after its name.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is filled in init because help refers back to the list.
var commands []command

func init() {
	commands = []command{
		{"verify", "evaluate an artifact's attestations and evidence against a policy", runVerify},
		{"inspect", "show what an attestation or evidence file claims (UNVERIFIED)", runInspect},
		{"threats", "list the threat catalog, or what a policy leaves open", runThreats},
		{"policy", "policy tools: policy check FILE", runPolicy},
		{"vsa", "VSA tools: vsa verify (consumer-side check of a VSA)", runVSA},
		{"version", "print the version", runVersion},
		{"help", "show help for a command", runHelp},
	}
}

// run is the whole program: args exclude the program name; the result is
// the exit code. Tests call it in-process.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "buildtrust: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `buildtrust verifies that an artifact was built the way its producer promised,
on a build environment nobody tampered with (SLSA Build and BuildEnv tracks).

Usage:

	buildtrust <command> [arguments]

Commands:

`)
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "buildtrust help <command>" or "buildtrust <command> -h" for details.
Exit codes: 0 success or PASSED, 1 rejected or FAILED, 2 unusable input.
`)
}

func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" {
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			// "help policy check" is "policy check -h".
			sub := append(append([]string(nil), args[1:]...), "-h")
			return c.run(sub, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "buildtrust help: unknown command %q\n", args[0])
	return exitUsage
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", "buildtrust version", "Print the version of buildtrust and how it was built.", stdout, stderr)
	if code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}
	fmt.Fprintln(stdout, versionString())
	return exitOK
}

// moduleVersion is the version of the main module as recorded by the Go
// toolchain: a tag for "go install …@vX.Y.Z", "devel" for a local build.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return "devel"
	}
	return bi.Main.Version
}

func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "buildtrust devel (no build information)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "buildtrust %s", moduleVersion())
	var rev, when string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		fmt.Fprintf(&b, " (%s", rev)
		if when != "" {
			fmt.Fprintf(&b, ", %s", when)
		}
		if modified {
			b.WriteString(", modified")
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " %s", bi.GoVersion)
	return b.String()
}

// cmdFlags is a subcommand's flag set with the positional arguments found
// between its flags.
type cmdFlags struct {
	*flag.FlagSet
	stdout io.Writer // where -h prints: it was asked for
	args   []string  // positional arguments, after parse
}

// newFlags returns a flag set whose -h prints synopsis, description and
// flags. Errors go to stderr.
func newFlags(name, synopsis, description string, stdout, stderr io.Writer) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: %s\n\n%s\n", synopsis, strings.TrimSpace(description))
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return &cmdFlags{FlagSet: fs, stdout: stdout}
}

// takesValue reports whether arg is a flag that consumed the next argument
// as its value ("-name" but not "-name=x" or "-v"), so that "-name --"
// reads "--" as the name rather than as the end of the flags.
func (fs *cmdFlags) takesValue(arg string) bool {
	name, ok := strings.CutPrefix(arg, "-")
	if !ok || strings.Contains(name, "=") {
		return false
	}
	name = strings.TrimPrefix(name, "-")
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, isBool := f.Value.(interface{ IsBoolFlag() bool })
	return !isBool || !b.IsBoolFlag()
}

// parse parses flags and positional arguments mixed in any order ("inspect
// FILE -format json"), because the flag package alone stops at the first
// positional argument; "--" ends the flags. It checks the number of
// positional arguments (max < 0: no limit). On failure it returns the exit
// code and false: 0 after -h, 2 after a usage error.
func (fs *cmdFlags) parse(args []string, min, max int) (int, bool) {
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(fs.stdout)
				fs.Usage()
				return exitOK, false
			}
			return exitUsage, false // the flag package has printed the error and usage
		}
		after := fs.Args()
		consumed := len(rest) - len(after)
		if consumed > 0 && rest[consumed-1] == "--" && !(consumed > 1 && fs.takesValue(rest[consumed-2])) {
			pos = append(pos, after...)
			break
		}
		if len(after) == 0 {
			break
		}
		pos = append(pos, after[0])
		rest = after[1:]
	}
	fs.args = pos
	if len(pos) < min || max >= 0 && len(pos) > max {
		switch {
		case max == 0:
			fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), pos[0])
		case len(pos) < min:
			fmt.Fprintf(fs.Output(), "%s: missing argument\n", fs.Name())
		default:
			fmt.Fprintf(fs.Output(), "%s: too many arguments: %s\n", fs.Name(), strings.Join(pos, " "))
		}
		fs.Usage()
		return exitUsage, false
	}
	return exitOK, true
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ", ") }
func (l *listFlag) Set(s string) error {
	if s == "" {
		return errors.New("empty value")
	}
	*l = append(*l, s)
	return nil
}

// formatFlag is -format: text or json.
type formatFlag string

func (f *formatFlag) String() string { return string(*f) }
func (f *formatFlag) Set(s string) error {
	if s != "text" && s != "json" {
		return fmt.Errorf("must be text or json, not %q", s)
	}
	*f = formatFlag(s)
	return nil
}

// usageError prints a usage problem found after flag parsing and returns 2.
func usageError(stderr io.Writer, cmd, format string, args ...any) int {
	fmt.Fprintf(stderr, "buildtrust %s: %s\n", cmd, fmt.Sprintf(format, args...))
	fmt.Fprintf(stderr, "Run \"buildtrust %s -h\" for usage.\n", cmd)
	return exitUsage
}
