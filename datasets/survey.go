package datasets

import (
	"strings"

	"github.com/cchc/cchc/transforms"
)

// IsSurveyField reports whether a field (a depth-1 node of a scoring sheet
// or of a methodology's fixed tree) named name is the sociological-survey
// field: its name folded by transforms.Fold (no diacritics, lower case, a
// run of white space, line breaks and non-breaking spaces included, as one
// space) contains "dieu tra xa hoi hoc". It is the one definition: the
// reader exempts the field's leaves from quarantine by it, and the model
// (model.BuildPAR) scores the field from the survey by it, so a cell
// wrapped with Alt+Enter ("Điều tra\nxã hội học") is the survey for both.
func IsSurveyField(name string) bool {
	return strings.Contains(transforms.Fold(name), "dieu tra xa hoi hoc")
}
