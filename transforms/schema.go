package transforms

import "github.com/apache/arrow/go/v17/arrow"

// Canonical dossier fields in schema order, as docs/contract.md names them.
const (
	FDossierCode = iota
	FUnitCode
	FProcedureCode
	FProcedureName
	FField
	FChannel
	FReceivedAt
	FDueAt
	FFinishedAt
	FReturnedAt
	FStatus
	FSupplementRequests
	FSupplementDays
	FOnlineLevel
	FFeeRequired
	FPaidOnline
	FSyncedNational
	FDigitizedDossier
	FDigitizedResult
	FReusedData
	FRating
	numCanonical
)

// Provenance and quarantine columns follow the canonical ones in a stage
// record.
const (
	FSource = numCanonical + iota
	FSourceFile
	FSourceRow
	FFileSHA256
	FFileSeq
	FQReason
	FQColumn
	FQRawValue
	FQRawRecord
	FQReasonCode
	numStage
)

var tsType = &arrow.TimestampType{Unit: arrow.Microsecond} // naive TIMESTAMP in DuckDB

// CanonicalNames are the canonical column names in schema order.
var CanonicalNames = func() []string {
	out := make([]string, numCanonical)
	for i := 0; i < numCanonical; i++ {
		out[i] = StageSchema.Field(i).Name
	}
	return out
}()

// StageSchema is the schema of the records Apply returns: the canonical
// dossier, its provenance, and for a rejected row the quarantine reason,
// column, raw value and raw record (JSON). A row is valid when q_reason is
// null. Timestamps are naive Vietnamese wall-clock time.
var StageSchema = arrow.NewSchema(append([]arrow.Field{
	{Name: "dossier_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "unit_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "procedure_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "procedure_name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "field", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "channel", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "received_at", Type: tsType, Nullable: true},
	{Name: "due_at", Type: tsType, Nullable: true},
	{Name: "finished_at", Type: tsType, Nullable: true},
	{Name: "returned_at", Type: tsType, Nullable: true},
	{Name: "status", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "supplement_requests", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "supplement_days", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "online_level", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "fee_required", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "paid_online", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "synced_national", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "digitized_dossier", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "digitized_result", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "reused_data", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "rating", Type: arrow.BinaryTypes.String, Nullable: true},
}, StageTail...), nil)

// StageTail are the provenance and quarantine columns every stage schema
// ends with (the dossiers' StageSchema and each dataset's, package
// datasets): the ledger, the quarantine and the merge SQL read them by
// name.
var StageTail = []arrow.Field{
	{Name: "source", Type: arrow.BinaryTypes.String},
	{Name: "source_file", Type: arrow.BinaryTypes.String},
	{Name: "source_row", Type: arrow.PrimitiveTypes.Int64},
	{Name: "file_sha256", Type: arrow.BinaryTypes.String},
	{Name: "file_seq", Type: arrow.PrimitiveTypes.Int32},
	{Name: "q_reason", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "q_column", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "q_raw_value", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "q_raw_record", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "q_reason_code", Type: arrow.BinaryTypes.String, Nullable: true},
}

// canonicalIndex maps a canonical name to its field index.
var canonicalIndex = func() map[string]int {
	m := make(map[string]int, numCanonical)
	for i := 0; i < numCanonical; i++ {
		m[StageSchema.Field(i).Name] = i
	}
	return m
}()
