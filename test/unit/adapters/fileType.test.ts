import { sniffContentType } from '../../../adapters/fileType';
import { docx, exe, jpeg, pdf, png, xlsx } from '../../support/sampleFiles';

// The type comes from the content: each accepted type is recognised, anything else is refused
// with what it looked like.

test.each([
  ['a PDF', pdf(), 'application/pdf'],
  ['a PNG', png(), 'image/png'],
  ['a JPEG', jpeg(), 'image/jpeg'],
  ['a DOCX', docx(), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['an XLSX', xlsx(), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
])('%s is recognised', async (_name, file, contentType) => {
  expect(await sniffContentType(file)).toEqual({ contentType });
});

test('a Windows executable is refused, named for what it is', async () => {
  expect(await sniffContentType(exe())).toEqual({ contentType: null, detected: 'application/x-msdownload' });
});

test('plain text is refused as not a recognised type', async () => {
  expect(await sniffContentType(Buffer.from('name,amount\nA,1\n'))).toEqual({ contentType: null, detected: 'unknown' });
});
