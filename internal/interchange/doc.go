// Package interchange moves personas in from other tools and out to
// spreadsheets: CSV, JSON (one array of records) and JSON Lines input mapped
// onto a template by a mapping file, and CSV export of a group.
//
// Reading streams: records are read one at a time, a single line (CSV,
// JSON Lines) or record (JSON) is capped at MaxRecordBytes, so memory stays
// bounded whatever the size of the file.
//
// An import is all-or-nothing with respect to bad input: a first pass maps
// and validates every record (against the template version through
// persona.ValidateContent, collecting at most Importer.MaxErrors problems,
// each naming the row, record or line and the column or JSON path); only
// when every record is valid does a second pass read the input again and
// write. Duplicates are personas whose names give the same slug
// (persona.Slugify), within the file or with a live persona of the
// organisation: persona-as-code names its files by that slug.
//
// CSV cells follow internal/csvout both ways: the export neutralises cells
// a spreadsheet would run as formulas and joins list items losslessly, and
// the reader removes that protective apostrophe again (and a mapping with
// escaped: true splits such lists), so export-csv → import is lossless.
//
// Mappings can split list cells at several separators, replace values,
// give defaults, concatenate several columns or paths and strip list
// bullets; the columns and keys no rule reads are reported as warnings
// (Plan.Warnings, Report.Warnings). In update mode (Mapping.Mode) a record
// matching a live persona by external ID (Mapping.ExternalID, stored in
// persona_external_ids) or else by name becomes a new revision of it,
// through app.Service.ImportPersonas in one transaction; see
// docs/imports.md.
//
// Writing a create-only import without external IDs goes through a BatchCreator. The default is the service's
// CreatePersonas, which writes every persona in one store transaction
// pulled record by record: the import is all or nothing even if the process
// dies mid-write, and memory stays bounded.
package interchange
