package llm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nanoscout/nanoscout/model"
)

// ComponentName is the breakdown row of the LLM verdict.
const ComponentName = "llm_judge"

// ToComponent turns a verdict into a breakdown row with weight 0: shown, not
// part of the composite. Raw is the model's confidence; Value is how genuine
// the engagement looks to the model, 0..1 (1 = looks genuine, as for
// authenticity): the confidence for organic, 1 − confidence otherwise.
func ToComponent(v Verdict) model.Component {
	value := v.Confidence
	if v.Label != LabelOrganic {
		value = 1 - v.Confidence
	}
	return model.Component{
		Name:   ComponentName,
		Raw:    v.Confidence,
		Value:  min(1, max(0, value)),
		Weight: 0,
		Reason: componentReason(v),
	}
}

var labelWords = map[string]string{
	LabelOrganic:  "organic",
	LabelScripted: "scripted (arranged or templated)",
	LabelBotLike:  "bot-like",
}

func componentReason(v Verdict) string {
	words := labelWords[v.Label]
	if words == "" {
		words = strconv.Quote(v.Label)
	}
	modelName := "an LLM"
	if v.Model != "" {
		modelName = "an LLM (" + v.Model + ")"
	}
	s := fmt.Sprintf("%s read a sample of the captions and audience comments and judged the engagement %s, %s confident",
		modelName, words, strconv.FormatFloat(100*v.Confidence, 'f', 0, 64)+"%")
	if len(v.Reasons) > 0 {
		rs := make([]string, len(v.Reasons))
		for i, r := range v.Reasons {
			rs[i] = strings.TrimRight(strings.TrimSpace(r), ".")
		}
		s += ": " + strings.Join(rs, "; ")
	}
	return s + ". Shown only: it does not count towards the composite"
}
