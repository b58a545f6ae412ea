import { apiFunctions } from './apiDocs';
for (const f of apiFunctions().filter((f) => f.missing.length && f.entry === process.argv[2])) console.log(`${f.file}:${f.line} ${f.name}: ${f.missing.join(', ')}`);
