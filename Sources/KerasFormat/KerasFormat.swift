// KerasFormat
