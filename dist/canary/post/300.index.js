export const id = 300;
export const ids = [300];
export const modules = {

/***/ 5300:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   fitToBytes: () => (/* binding */ fitToBytes)
/* harmony export */ });
/* unused harmony exports SUMMARY_LIMIT_BYTES, escapeCell, table, details, codeBlock */
/** Markdown rendering for job summaries. Pure string functions. */
/** GitHub refuses a step summary over 1 MiB. */
const SUMMARY_LIMIT_BYTES = 1024 * 1024;
function escapeCell(text) {
    return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}
function table(headers, rows) {
    const head = `| ${headers.map(escapeCell).join(' | ')} |`;
    const rule = `| ${headers.map(() => '---').join(' | ')} |`;
    const body = rows.map((r) => `| ${r.map((c) => escapeCell(String(c))).join(' | ')} |`);
    return [head, rule, ...body].join('\n') + '\n';
}
function details(summary, body) {
    return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>\n`;
}
function codeBlock(text, lang = '') {
    const fence = text.includes('```') ? '````' : '```';
    return `${fence}${lang}\n${text}\n${fence}\n`;
}
/**
 * Cuts markdown to fit `limit` bytes (UTF-8), on a line boundary, with a note saying
 * how much was left out.
 */
function fitToBytes(markdown, limit = SUMMARY_LIMIT_BYTES) {
    if (Buffer.byteLength(markdown) <= limit)
        return markdown;
    const note = (n) => `\n\n_… ${n} more lines left out to stay under the job summary limit._\n`;
    const lines = markdown.split('\n');
    let used = Buffer.byteLength(note(lines.length));
    let kept = 0;
    for (const line of lines) {
        const size = Buffer.byteLength(line) + 1;
        if (used + size > limit)
            break;
        used += size;
        kept += 1;
    }
    return lines.slice(0, kept).join('\n') + note(lines.length - kept);
}


/***/ })

};
