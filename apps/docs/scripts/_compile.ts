import { apiFunctions, compileExamples } from './apiDocs';
const fns = apiFunctions().filter((f) => !process.argv[2] || f.entry.startsWith(process.argv[2]));
console.log(compileExamples(fns).join('\n') || 'no errors', fns.length);
