package pipeline

import "testing"

// A list file read again (same source and path, new content) replaces
// all the rows of its earlier reading, whatever their keys; across files
// an equal key means the later replaces the earlier (docs/contract.md).
func TestPARListFileReadAgain(t *testing.T) {
	const tru = "Đơn vị,Điểm trừ,Lý do\nSở Tư pháp,1,Trừ điểm do ông Nguyễn Văn An vi phạm quy chế\n"
	tests := []struct {
		name   string
		runs   []parListRun
		file   string    // whose ledger row is checked
		want   parCounts // its counts in the last run
		query  string
		expect string
	}{
		// Rows stored before names were masked keep the raw reason as
		// their key (simulated by writing it back); the file is read
		// again because another unit's row was added: penalty 1, 36 / 40
		// = 90,0. Without the fix the old row stays beside the new one:
		// penalty 2, 87,5.
		{"key read differently before", []parListRun{
			{files: [][2]string{{"survey/dtxhh.csv", survey27}, {"adj/tru.csv", tru}}},
			{before: `UPDATE par_adjustment_rows SET reason = 'Trừ điểm do ông Nguyễn Văn An vi phạm quy chế'`,
				files: [][2]string{{"adj/tru.csv", tru + "Sở Tài chính,\"0,5\",Chậm gửi báo cáo\n"}}},
		}, "tru.csv", parCounts{"loaded", 2, 2, 0, 0}, stpScore, "ranked 90.0 +0.0 -1.0"},
		// The corrected list drops the quý II penalty (0,5): penalty 1,
		// 90,0; without the fix the dropped row still counted: 1,5, 88,75.
		{"row dropped by the corrected list", []parListRun{
			{files: [][2]string{{"survey/dtxhh.csv", survey27}, {"adj/tru.csv", "Đơn vị,Điểm trừ,Lý do\nSở Tư pháp,1,Chậm báo cáo quý I\nSở Tư pháp,\"0,5\",Chậm báo cáo quý II\n"}}},
			{files: [][2]string{{"adj/tru.csv", "Đơn vị,Điểm trừ,Lý do\nSở Tư pháp,1,Chậm báo cáo quý I\n"}}},
		}, "tru.csv", parCounts{"loaded", 1, 1, 0, 0}, stpScore, "ranked 90.0 +0.0 -1.0"},
		// The same with two people named: the corrected list keeps
		// Cường's decision only, now first (its key loses the ordinal):
		// bonus 0,5, 37,5 / 40 = 93,75; without the fix Bình's row
		// (same key as Cường's now) is replaced, but Cường's old "(2)"
		// row stays: bonus 1,0, 95,0.
		{"named rows reordered", []parListRun{
			{files: [][2]string{{"survey/dtxhh.csv", survey27}, {"adj/khen.csv", "Đơn vị,Điểm thưởng,Lý do\nSở Tư pháp,\"0,5\",Khen đồng chí Trần Thị Bình\nSở Tư pháp,\"0,5\",Khen đồng chí Lê Văn Cường\n"}}},
			{files: [][2]string{{"adj/khen.csv", "Đơn vị,Điểm thưởng,Lý do\nSở Tư pháp,\"0,5\",Khen đồng chí Lê Văn Cường\n"}}},
		}, "khen.csv", parCounts{"loaded", 1, 1, 0, 0}, stpScore, "ranked 93.75 +0.5 -0.0"},
		// A corrected survey file no longer lists S.TC (listed by
		// mistake): its result leaves; without the fix S.TC=25.0 stays.
		{"survey row dropped", []parListRun{
			{files: [][2]string{{"survey/dtxhh.csv", survey27 + "Sở Tài chính,25\n"}}},
			{files: [][2]string{{"survey/dtxhh.csv", survey27}}},
		}, "dtxhh.csv", parCounts{"loaded", 1, 1, 0, 0},
			`SELECT string_agg(unit_code || '=' || points, ' ' ORDER BY unit_code) FROM par_survey_results`, "S.TP=27.0"},
		// A survey file reverted to its first content (27, then 30, then
		// 27 again): the latest file wins, 27; without the fix the
		// reverted file was skipped as loaded and 30 stayed.
		{"survey file reverted", []parListRun{
			{files: [][2]string{{"survey/dtxhh.csv", survey27}}},
			{files: [][2]string{{"survey/dtxhh.csv", "Tên đơn vị,Điểm ĐTXHH\nSở Tư pháp,30\n"}}},
			{files: [][2]string{{"survey/dtxhh.csv", survey27}}},
		}, "dtxhh.csv", parCounts{"loaded", 1, 1, 0, 0},
			`SELECT string_agg(unit_code || '=' || points, ' ' ORDER BY unit_code) FROM par_survey_results`, "S.TP=27.0"},
		// Contract, not a fix: different files, one masked key (a
		// decision naming only a person): the later file's replaces the
		// earlier's. In one run the ledger tells it: 1.csv read 1 =
		// loaded 0 + superseded 1; bonus 0,5, 93,75.
		{"equal keys across files", []parListRun{
			{files: [][2]string{{"survey/dtxhh.csv", survey27}, {"adj/1.csv", "Đơn vị,Điểm thưởng,Lý do\nSở Tư pháp,\"0,5\",Khen đồng chí Trần Thị Bình\n"},
				{"adj/2.csv", "Đơn vị,Điểm thưởng,Lý do\nSở Tư pháp,\"0,5\",Khen đồng chí Lê Văn Cường\n"}}},
		}, "1.csv", parCounts{"loaded", 1, 0, 0, 1}, stpScore, "ranked 93.75 +0.5 -0.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, led := parListRuns(t, tc.runs)
			if got := led(tc.file); got != tc.want {
				t.Errorf("ledger of %s %+v, want %+v", tc.file, got, tc.want)
			}
			if got := q(tc.query); got != tc.expect {
				t.Errorf("got %q, want %q", got, tc.expect)
			}
		})
	}
}
