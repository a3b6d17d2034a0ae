//! HTML for a book page: a figure's panels as separate SVGs that wrap below
//! each other in a narrow column ([`figure`]), a table that scrolls
//! sideways rather than shrink ([`table`]), and the step-through ([`steps`]),
//! an interactive widget for [`Steps`] that draws each step's frame picture
//! as the static figure does (frames as boxes with their function, rows with
//! their offsets, SP and BP arrows, popped words in a dashed box, the words
//! the step before wrote marked) beside the listing. Its script and styles
//! are inline, so a page works offline; its colours are the mdBook theme's.
//! Controls: first, previous, next, last, run to the next CALL or RET, a
//! slider, and the arrow keys while the widget has focus. Several widgets on
//! one page stay independent.

use crate::svg::{self, MAX_ROW_CHARS, escape};
use crate::{Figure, Steps, Table};

/// A figure for a page: each panel its own `<svg>` at its own size (never
/// scaled down), side by side while the column is wide enough, below each
/// other when it is not; a panel wider than the column scrolls sideways.
pub fn figure(f: &Figure) -> String {
    let mut out = String::from(
        "<div class=\"gostack-panels\" style=\"display:flex;flex-wrap:wrap;gap:1em 2em;align-items:flex-start;overflow-x:auto\">",
    );
    for p in &f.panels {
        out.push_str("<div style=\"flex:none\">");
        out.push_str(&svg::panel(p));
        out.push_str("</div>");
    }
    out.push_str("</div>");
    out
}

/// A table for a page: its SVG at its own size, scrolling sideways when wider than the column.
pub fn table(t: &Table) -> String {
    format!(
        "<div class=\"gostack-table\" style=\"overflow-x:auto\">{}</div>",
        svg::table(t)
    )
}

/// The widget's styles, shared by every widget on a page.
const STYLE: &str = r#"<style>
.gostack-steps{border:1px solid var(--table-border-color,#ccc);padding:.5em;margin:1em 0;font-size:13px}
.gostack-steps:focus{outline:2px solid var(--links,#4183c4)}
.gostack-steps .gs-controls{display:flex;gap:.4em;align-items:center;flex-wrap:wrap;margin-bottom:.5em}
.gostack-steps button{font:inherit;color:var(--fg,#333);background:var(--quote-bg,#f5f5f5);border:1px solid var(--table-border-color,#ccc);border-radius:3px;padding:.1em .5em;cursor:pointer}
.gostack-steps input[type=range]{flex:1;min-width:8em}
.gostack-steps .gs-panes{display:flex;gap:1em;flex-wrap:wrap;align-items:flex-start}
.gostack-steps table{border-collapse:collapse;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;font-size:13px;margin:0}
.gostack-steps table tbody tr:nth-child(n){background:none}
.gostack-steps td{padding:0 .5em;border:none;white-space:pre;line-height:19px;text-align:left}
.gostack-steps tr.gs-current td{background:var(--quote-bg,#f5f5f5);font-weight:bold}
.gostack-steps .gs-where{font-family:ui-monospace,monospace;margin:.3em 0}
.gostack-steps table.gs-listing{display:block;max-height:26em;overflow:auto;flex:1 1 18em}
.gostack-steps .gs-stack td.gs-func{font-weight:bold;padding-left:0}
.gostack-steps .gs-stack td.gs-text,.gostack-steps .gs-stack td.gs-off{background:var(--quote-bg,#f5f5f5);border-top:1px solid var(--table-border-color,#ccc)}
.gostack-steps .gs-stack td.gs-text{border-left:1px solid var(--fg,#333)}
.gostack-steps .gs-stack td.gs-off{border-right:1px solid var(--fg,#333);text-align:right}
.gostack-steps .gs-stack tr:first-child td.gs-text,.gostack-steps .gs-stack tr:first-child td.gs-off{border-top:1px solid var(--fg,#333)}
.gostack-steps .gs-stack tr:last-child td.gs-text,.gostack-steps .gs-stack tr:last-child td.gs-off{border-bottom:1px solid var(--fg,#333)}
.gostack-steps .gs-stack tbody.gs-dead td.gs-text,.gostack-steps .gs-stack tbody.gs-dead td.gs-off{background:none;border-style:dashed;border-color:color-mix(in srgb,var(--fg,#333) 60%,transparent)}
.gostack-steps .gs-stack tbody.gs-dead tr:first-child td{padding-top:4px}
.gostack-steps .gs-stack tr.gs-changed td.gs-text,.gostack-steps .gs-stack tr.gs-changed td.gs-off{background:color-mix(in srgb,var(--links,#4183c4) 22%,var(--quote-bg,#f5f5f5))}
.gostack-steps .gs-stack td.gs-off,.gostack-steps .gs-stack tr.gs-unnamed td.gs-text,.gostack-steps .gs-stack tr.gs-folded td.gs-text,.gostack-steps .gs-stack tr.gs-dead td.gs-text,.gostack-steps .gs-stack tbody.gs-dead td.gs-func{color:color-mix(in srgb,var(--fg,#333) 60%,transparent)}
.gostack-steps .gs-stack tr.gs-return_addr td.gs-text,.gostack-steps .gs-stack tr.gs-saved_bp td.gs-text{font-style:italic}
.gostack-steps .gs-stack td.gs-arrow{color:var(--links,#4183c4)}
.gostack-steps .gs-regs{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;margin-top:.6em;max-width:40em}
.gostack-steps .gs-regs span{display:inline-block;margin:0 1.2em .2em 0;padding:0 .2em;white-space:pre}
.gostack-steps .gs-regs span.gs-changed{background:color-mix(in srgb,var(--links,#4183c4) 25%,transparent)}
</style>"#;

/// The widget's script, shared by every widget on a page (it finds them by class).
const SCRIPT: &str = r#"<script>
(function(){
if(window.gostackSteps)return;window.gostackSteps=true;
function init(root){
  var data=JSON.parse(root.querySelector('script[type="application/json"]').textContent);
  var max=+root.dataset.max,n=data.steps.length,cur=-1,rows,frames,arrows,regs;
  var slider=root.querySelector('.gs-slider');slider.max=n-1;
  var listing=root.querySelector('.gs-listing'),stack=root.querySelector('.gs-stack'),rdiv=root.querySelector('.gs-regs');
  var where=root.querySelector('.gs-where');
  data.listing.forEach(function(r,i){var tr=listing.insertRow();tr.dataset.row=i;[r.at,r.line,r.asm].forEach(function(t){tr.insertCell().textContent=t;});});
  function reset(){rows={};frames=[];arrows={};regs=[];cur=-1;}
  function apply(s){var sp=s.sp;
    (s.gone||[]).forEach(function(a){delete rows[sp+a];});
    (s.rows||[]).forEach(function(r){rows[sp+r[0]]=r;});
    if(s.frames)frames=frames.slice(0,s.frames[0]).concat(s.frames[1].map(function(f){return [f[0],sp+f[1]];}));
    (s.arrows||[]).forEach(function(a){if(a[1])arrows[sp+a[0]]=a[1];else delete arrows[sp+a[0]];});
    s.regs.forEach(function(r){for(var i=0;i<regs.length;i++){if(regs[i][0]===r[0]){regs[i]=r;return;}}regs.push(r);});}
  function cell(tr,text,cls){var td=tr.insertCell();td.className=cls;var c=Array.from(text);
    if(c.length>max){td.textContent=c.slice(0,max-1).join('')+'\u2026';td.title=text;}else td.textContent=text;}
  function box(name,cls,list,changed){var tb=stack.createTBody();tb.className=cls;
    list.forEach(function(a,i){var r=rows[a],tr=tb.insertRow();tr.dataset.addr=a;tr.className='gs-'+r[3]+(changed[a]?' gs-changed':'');
      cell(tr,i===0?name:'','gs-func');cell(tr,r[1],'gs-text');cell(tr,r[2],'gs-off');cell(tr,arrows[a]?'\u2190 '+arrows[a]:'','gs-arrow');});}
  function draw(){var s=data.steps[cur],changed={};(s.changed||[]).forEach(function(a){changed[s.sp+a]=1;});
    slider.value=cur;root.dataset.step=cur;
    var at=s.at;if(!at&&s.row!==null){var l=data.listing[s.row];at=l.at+(l.line?' ('+l.line+')':'');}
    where.textContent='step '+(cur+1)+'/'+n+'  '+at;
    Array.prototype.forEach.call(listing.rows,function(tr){tr.className=(+tr.dataset.row===s.row)?'gs-current':'';});
    var cr=listing.querySelector('tr.gs-current');if(cr){listing.scrollTop=Math.max(0,cr.offsetTop-listing.clientHeight/2);}
    var addrs=Object.keys(rows).map(Number).sort(function(a,b){return b-a;});
    var groups=frames.map(function(){return [];}),dead=[];
    addrs.forEach(function(a){if(a<s.sp){dead.push(a);return;}for(var k=frames.length-1;k>=0;k--){if(frames[k][1]>=a){groups[k].push(a);return;}}});
    stack.innerHTML='';
    groups.forEach(function(g,k){if(g.length)box(frames[k][0],'gs-frame',g,changed);});
    if(dead.length)box('(popped)','gs-dead',dead,changed);
    var mark={};if(cur>0)s.regs.forEach(function(r){mark[r[0]]=1;});
    rdiv.innerHTML='';regs.forEach(function(r){var e=document.createElement('span');e.textContent=r[0]+' = '+r[1];if(mark[r[0]])e.className='gs-changed';rdiv.appendChild(e);});}
  function show(k){k=Math.max(0,Math.min(n-1,k));if(k<cur)reset();while(cur<k){cur++;apply(data.steps[cur]);}draw();}
  function until(test){for(var k=cur+1;k<n;k++){var r=data.steps[k].row;if(r!==null&&test(data.listing[r].asm)){show(k);return;}}show(n-1);}
  root.querySelector('.gs-first').onclick=function(){show(0);};
  root.querySelector('.gs-prev').onclick=function(){show(cur-1);};
  root.querySelector('.gs-next').onclick=function(){show(cur+1);};
  root.querySelector('.gs-last').onclick=function(){show(n-1);};
  root.querySelector('.gs-call').onclick=function(){until(function(a){return a.indexOf('CALL')===0;});};
  root.querySelector('.gs-ret').onclick=function(){until(function(a){return a==='RET';});};
  slider.oninput=function(){show(+slider.value);};
  root.addEventListener('keydown',function(e){if(e.key==='ArrowRight'){show(cur+1);e.preventDefault();}else if(e.key==='ArrowLeft'){show(cur-1);e.preventDefault();}else if(e.key==='Home'){show(0);e.preventDefault();}else if(e.key==='End'){show(n-1);e.preventDefault();}});
  reset();if(n)show(0);
}
function all(){Array.prototype.forEach.call(document.querySelectorAll('.gostack-steps'),function(r){if(!r.dataset.ready){r.dataset.ready=1;init(r);}});}
if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',all);else all();
})();
</script>"#;

/// Renders the widget; `id` tells widgets on one page apart.
pub fn steps(s: &Steps, id: &str) -> String {
    // The data goes in a JSON script element: escape `<` so no `</script>` can end it early.
    let json = serde_json::to_string(s)
        .expect("the model holds only strings and numbers")
        .replace('<', "\\u003c");
    // One line: Markdown ends a raw HTML block at a blank line, and must not see the script's lines.
    let one_line = |s: &str| s.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    format!(
        concat!(
            "{style}<div class=\"gostack-steps\" id=\"{id}\" tabindex=\"0\" data-max=\"{max}\">",
            "<div><strong>{caption}</strong></div>",
            "<div class=\"gs-controls\">",
            "<button class=\"gs-first\" title=\"first step (Home)\">first</button>",
            "<button class=\"gs-prev\" title=\"previous step (\u{2190})\">\u{25c0}</button>",
            "<button class=\"gs-next\" title=\"next step (\u{2192})\">\u{25b6}</button>",
            "<button class=\"gs-last\" title=\"last step (End)\">last</button>",
            "<button class=\"gs-call\">next CALL</button><button class=\"gs-ret\">next RET</button>",
            "<input class=\"gs-slider\" type=\"range\" min=\"0\" value=\"0\" aria-label=\"step\"></div>",
            "<div class=\"gs-where\"></div>",
            "<div class=\"gs-panes\"><table class=\"gs-listing\"></table><div class=\"gs-picture\"><table class=\"gs-stack\"></table><div class=\"gs-regs\"></div></div></div>",
            "<script type=\"application/json\">{json}</script></div>{script}"
        ),
        style = one_line(STYLE),
        id = escape(id),
        max = MAX_ROW_CHARS,
        caption = escape(&s.caption),
        json = json,
        script = one_line(SCRIPT)
    )
}
