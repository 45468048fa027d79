/** The first-party plugin packages and the types each provides, for "install X" hints. */
export const FIRST_PARTY_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  '@hekate/plugin-file': ['FileInput'],
  '@hekate/plugin-kafka': ['KafkaInput', 'KafkaOutput'],
  '@hekate/plugin-bigquery': ['BqOutput'],
  '@hekate/plugin-protobuf': [
    'ProtobufDecoder',
    'ProtobufEncoder',
    'HekaFramingSplitter',
    'SchemaDecoder',
    'SchemaEncoder',
    'TcpInput',
    'TcpOutput',
  ],
};

/** Heka plugin types whose role a differently named Hekate type plays, for "use X" hints. */
export const HEKA_EQUIVALENTS: Readonly<Record<string, string>> = {
  LogstreamerInput: 'FileInput',
  FilePollingInput: 'FileInput',
  SandboxFilter: 'JsFilter',
  SandboxDecoder: 'JsonDecoder',
  ESJsonEncoder: 'JsonEncoder',
};
