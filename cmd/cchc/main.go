// Command cchc is the CLI of the CCHC warehouse: it wires config, sources,
// transforms, the warehouse, the pipeline and the publications together.
// It is the only package that reads the process environment.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/cchc/cchc/pipeline"
	"github.com/cchc/cchc/warehouse"
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error  { return &exitError{code: pipeline.ExitUsage, err: err} }
func failedErr(err error) error { return &exitError{code: pipeline.ExitFailed, err: err} }

type globals struct {
	configPath string
	cpuProfile string
	memProfile string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := execute(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func execute(ctx context.Context, args []string) int {
	root := newRoot()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "cchc:", userMessage(ee.err))
		}
		return ee.code
	}
	// Cobra's own errors: unknown command or flag.
	fmt.Fprintln(os.Stderr, "cchc:", err)
	return pipeline.ExitUsage
}

// userMessage is err as the user reads it: the errors of a warehouse open
// in another program lead, in Vietnamese, with what to do; DuckDB's English
// detail follows in parentheses. (The lock's own error says what to do.)
func userMessage(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, warehouse.ErrBusy):
		return "kho dữ liệu đang được một chương trình khác mở (DBeaver, Python, cchc query --live, một lần chạy cchc); hãy đóng chương trình đó hoặc đợi nó xong rồi thử lại (" + msg + ")"
	}
	return msg
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "cchc",
		Short:         "CCHC warehouse: load one-stop dossier exports, compute the official statistics and rankings",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// Cobra adds --version when Version is set; the text is built only when
	// asked for, since it opens an in-memory DuckDB to read its version.
	root.Version = version
	root.SetVersionTemplate("{{cchcVersion}}")
	cobra.AddTemplateFunc("cchcVersion", func() string { return versionText(context.Background()) })
	root.PersistentFlags().StringVar(&g.configPath, "config", "./cchc.yaml", "config file")
	root.PersistentFlags().StringVar(&g.cpuProfile, "cpuprofile", "", "write a CPU profile of the command to this file")
	root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentFlags().StringVar(&g.memProfile, "memprofile", "", "write a heap profile at the end of the command to this file")
	root.PersistentFlags().MarkHidden("memprofile")
	var prof *os.File
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if g.cpuProfile == "" {
			return nil
		}
		f, err := os.Create(g.cpuProfile)
		if err != nil {
			return usageErr(err)
		}
		prof = f
		return pprof.StartCPUProfile(f)
	}
	root.PersistentPostRun = func(*cobra.Command, []string) {
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
		}
		if g.memProfile != "" {
			if f, err := os.Create(g.memProfile); err == nil {
				// alloc_space then shows what the whole command allocated,
				// inuse_space what was live at its end.
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}
	}
	root.AddCommand(runCmd(g), queryCmd(g), quarantineCmd(g), validateCmd(g), runsCmd(g), publishCmd(g), scheduleCmd(g), genCmd(), explainCmd(g))
	return root
}
