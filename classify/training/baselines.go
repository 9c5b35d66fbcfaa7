package training

// CommentBaseline is one row of the YouTube Spam Collection authors' own
// experiment output (Alberto, Lochter & Almeida, TubeSpam, ICMLA 2015):
// repository tuliocasagrande/youtube-spam-experiment, exp1/results/*.tex at
// commit 6fbb14aeebcb41308f3165276954b328cb682264. Protocol: bag of words,
// a 70/30 split inside each video (first 70 % of each class in file order
// to train), hyper-parameters by 10-fold grid search maximising MCC. Not
// verified to be the published table. Copied from the datasets README
// (see classify/data/README.md).
type CommentBaseline struct {
	Classifier     string
	Accuracy       float64 // fraction
	F1, MCC        float64
	TP, TN, FP, FN int
	SpamCaught     float64 // recall on spam, fraction
	BlockedHam     float64 // false-positive rate, fraction
}

// CommentBaselineProtocol summarises how CommentBaselines were obtained.
const CommentBaselineProtocol = "authors' exp1 (commit 6fbb14a): 70/30 split inside each video, test n = 106/106/132, bag of words, grid search by 10-fold CV on MCC"

// CommentBaselines maps a video (the file's base name without ".csv") to
// the authors' results on it, best MCC first.
var CommentBaselines = map[string][]CommentBaseline{
	"Youtube01-Psy": {
		{"SVM RBF", .9623, .962, .925, 50, 52, 1, 3, .9434, .0189},
		{"SVM Linear", .9528, .950, .910, 48, 53, 0, 5, .9057, 0},
		{"Logistic", .9528, .951, .907, 49, 52, 1, 4, .9245, .0189},
		{"DecisionTree", .9434, .941, .889, 48, 52, 1, 5, .9057, .0189},
		{"BernoulliNB", .9340, .931, .872, 47, 52, 1, 6, .8868, .0189},
		{"MultinomialNB", .9340, .932, .869, 48, 51, 2, 5, .9057, .0377},
		{"RandomForest", .9151, .909, .838, 45, 52, 1, 8, .8491, .0189},
		{"3-NN", .9151, .914, .830, 48, 49, 4, 5, .9057, .0755},
		{"SVM Poly", .9057, .898, .821, 44, 52, 1, 9, .8302, .0189},
		{"1-NN", .8962, .893, .794, 46, 49, 4, 7, .8679, .0755},
		{"5-NN", .8868, .878, .783, 43, 51, 2, 10, .8113, .0377},
		{"GaussianNB", .8868, .880, .779, 44, 50, 3, 9, .8302, .0566},
	},
	"Youtube02-KatyPerry": {
		{"RandomForest", .9434, .940, .893, 47, 53, 0, 6, .8868, 0},
		{"Logistic", .9245, .920, .855, 46, 52, 1, 7, .8679, .0189},
		{"BernoulliNB", .9151, .907, .842, 44, 53, 0, 9, .8302, 0},
		{"SVM Linear", .9151, .909, .838, 45, 52, 1, 8, .8491, .0189},
		{"SVM RBF", .9151, .909, .838, 45, 52, 1, 8, .8491, .0189},
		{"MultinomialNB", .9151, .916, .830, 49, 48, 5, 4, .9245, .0943},
		{"GaussianNB", .8585, .860, .717, 46, 45, 8, 7, .8679, .1509},
		{"3-NN", .8396, .813, .708, 37, 52, 1, 16, .6981, .0189},
		{"DecisionTree", .8491, .840, .703, 42, 48, 5, 11, .7925, .0943},
		{"1-NN", .7925, .750, .622, 33, 51, 2, 20, .6226, .0377},
		{"SVM Poly", .7830, .729, .616, 31, 52, 1, 22, .5849, .0189},
		{"5-NN", .7736, .707, .614, 29, 53, 0, 24, .5472, 0},
	},
	"Youtube03-LMFAO": {
		{"BernoulliNB", .9773, .978, .955, 68, 61, 0, 3, .9577, 0},
		{"SVM Linear", .9773, .978, .955, 68, 61, 0, 3, .9577, 0},
		{"DecisionTree", .9773, .979, .954, 69, 60, 1, 2, .9718, .0164},
		{"SVM RBF", .9697, .971, .940, 68, 60, 1, 3, .9577, .0164},
		{"Logistic", .9621, .964, .925, 67, 60, 1, 4, .9437, .0164},
		{"GaussianNB", .9394, .940, .886, 63, 61, 0, 8, .8873, 0},
		{"RandomForest", .9242, .926, .852, 63, 59, 2, 8, .8873, .0328},
		{"MultinomialNB", .9091, .919, .819, 68, 52, 9, 3, .9577, .1475},
		{"1-NN", .8939, .899, .789, 62, 56, 5, 9, .8732, .0820},
		{"5-NN", .8864, .885, .785, 58, 59, 2, 13, .8169, .0328},
		{"SVM Poly", .8712, .868, .759, 56, 59, 2, 15, .7887, .0328},
		{"3-NN", .8712, .874, .747, 59, 56, 5, 12, .8310, .0820},
	},
}

// TopCommentBaselines returns the n best rows (by MCC) for a video plus the
// Logistic row when it is not among them, the closest published model to
// nanoscout's; nil for a video without published results.
func TopCommentBaselines(video string, n int) []CommentBaseline {
	all := CommentBaselines[video]
	if len(all) == 0 {
		return nil
	}
	out := append([]CommentBaseline(nil), all[:min(n, len(all))]...)
	for _, b := range out {
		if b.Classifier == "Logistic" {
			return out
		}
	}
	for _, b := range all[min(n, len(all)):] {
		if b.Classifier == "Logistic" {
			out = append(out, b)
		}
	}
	return out
}

// AccountBaseline is one result of the IGAudit notebook (Athiya Deviyani,
// 2020, github.com/athiyadeviyani/IGAudit, IGAudit_mdfiles/IGAudit.md):
// trained on train.csv, accuracy on the held-out 120-row test.csv. Single
// unseeded notebook runs, not peer reviewed; orientation only.
type AccountBaseline struct {
	Method   string
	Accuracy float64
	Note     string
}

// AccountBaselines are the IGAudit figures, as listed in the datasets
// README.
var AccountBaselines = []AccountBaseline{
	{"constant \"fake\"", .500, ""},
	{"following/followers ratio rule", .700, "ratio swept on the test set: optimistic"},
	{"LogisticRegression (sklearn default)", .908, ""},
	{"k-NN (k = 7)", .867, "k chosen on the test set"},
	{"DecisionTree (default)", .900, ""},
	{"RandomForest (default, unseeded)", .925, ""},
}
