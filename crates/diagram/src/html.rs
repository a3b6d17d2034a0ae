//! The step-through: an interactive HTML widget for [`Steps`]. Its script
//! and styles are inline, so a page works offline; its colours are the
//! mdBook theme's. Controls: first, previous, next, last, run to the next
//! CALL or RET, a slider, and the arrow keys while the widget has focus.
//! Several widgets on one page stay independent. For tests, the page address
//! `?gostack-press=<widget id>:<n>` presses that widget's "next" button n times.

use crate::Steps;
use crate::svg::escape;

/// The widget's styles, shared by every widget on a page.
const STYLE: &str = r#"<style>
.gostack-steps{border:1px solid var(--table-border-color,#ccc);padding:.5em;margin:1em 0;font-size:13px}
.gostack-steps:focus{outline:2px solid var(--links,#4183c4)}
.gostack-steps .gs-controls{display:flex;gap:.4em;align-items:center;flex-wrap:wrap;margin-bottom:.5em}
.gostack-steps button{font:inherit;color:var(--fg,#333);background:var(--quote-bg,#f5f5f5);border:1px solid var(--table-border-color,#ccc);border-radius:3px;padding:.1em .5em;cursor:pointer}
.gostack-steps input[type=range]{flex:1;min-width:8em}
.gostack-steps .gs-panes{display:flex;gap:1em;flex-wrap:wrap;align-items:flex-start}
.gostack-steps table{border-collapse:collapse;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;margin:0}
.gostack-steps td{padding:0 .6em;border:none;white-space:pre}
.gostack-steps tr.gs-current td{background:var(--quote-bg,#f5f5f5);font-weight:bold}
.gostack-steps tr.gs-changed td{background:color-mix(in srgb,var(--links,#4183c4) 25%,transparent)}
.gostack-steps .gs-where{font-family:ui-monospace,monospace;margin:.3em 0}
.gostack-steps table.gs-listing{display:block;max-height:26em;overflow:auto}
</style>"#;

/// The widget's script, shared by every widget on a page (it finds them by class).
const SCRIPT: &str = r#"<script>
(function(){
if(window.gostackSteps)return;window.gostackSteps=true;
function init(root){
  var data=JSON.parse(root.querySelector('script[type="application/json"]').textContent);
  var n=data.steps.length,cur=0,words={},regs={};
  var slider=root.querySelector('.gs-slider');slider.max=n-1;
  var listing=root.querySelector('.gs-listing'),stack=root.querySelector('.gs-stack'),rtab=root.querySelector('.gs-regs');
  var where=root.querySelector('.gs-where');
  data.listing.forEach(function(r,i){var tr=listing.insertRow();tr.dataset.row=i;[r.at,r.line,r.asm].forEach(function(t){tr.insertCell().textContent=t;});});
  function stateAt(k){words={};regs={};var changed={w:{},r:{}};
    for(var i=0;i<=k;i++){var s=data.steps[i];
      s.words.forEach(function(w){words[w[0]]=[w[1],w[2]];if(i===k)changed.w[w[0]]=1;});
      s.regs.forEach(function(r){regs[r[0]]=r[1];if(i===k)changed.r[r[0]]=1;});}
    return changed;}
  function show(k){cur=Math.max(0,Math.min(n-1,k));var s=data.steps[cur];var ch=stateAt(cur);
    if(cur===0){ch={w:{},r:{}};}
    slider.value=cur;root.dataset.step=cur;
    where.textContent='step '+(cur+1)+'/'+n+'  '+s.at;
    Array.prototype.forEach.call(listing.rows,function(tr){tr.className=(+tr.dataset.row===s.row)?'gs-current':'';});
    var cr=listing.querySelector('tr.gs-current');if(cr){listing.scrollTop=Math.max(0,cr.offsetTop-listing.clientHeight/2);}
    stack.innerHTML='';var addrs=Object.keys(words).map(Number).filter(function(a){return a>=s.sp;}).sort(function(a,b){return b-a;});
    addrs.forEach(function(a){var tr=stack.insertRow();tr.dataset.addr=a;if(ch.w[a])tr.className='gs-changed';
      var off=a-s.sp;[('+'+off+'(SP)'),words[a][0],words[a][1],(a===s.sp?'\u2190 SP':'')].forEach(function(t){tr.insertCell().textContent=t;});});
    rtab.innerHTML='';Object.keys(regs).forEach(function(r){var tr=rtab.insertRow();if(ch.r[r])tr.className='gs-changed';tr.insertCell().textContent=r;tr.insertCell().textContent=regs[r];});}
  function until(test){for(var k=cur+1;k<n;k++){var r=data.steps[k].row;if(r!==null&&test(data.listing[r].asm)){show(k);return;}}show(n-1);}
  root.querySelector('.gs-first').onclick=function(){show(0);};
  root.querySelector('.gs-prev').onclick=function(){show(cur-1);};
  root.querySelector('.gs-next').onclick=function(){show(cur+1);};
  root.querySelector('.gs-last').onclick=function(){show(n-1);};
  root.querySelector('.gs-call').onclick=function(){until(function(a){return a.indexOf('CALL')===0;});};
  root.querySelector('.gs-ret').onclick=function(){until(function(a){return a==='RET';});};
  slider.oninput=function(){show(+slider.value);};
  root.addEventListener('keydown',function(e){if(e.key==='ArrowRight'){show(cur+1);e.preventDefault();}else if(e.key==='ArrowLeft'){show(cur-1);e.preventDefault();}else if(e.key==='Home'){show(0);e.preventDefault();}else if(e.key==='End'){show(n-1);e.preventDefault();}});
  show(0);
  var m=/[?&]gostack-press=([^:&]+):(\d+)/.exec(location.search);if(m&&m[1]===root.id){for(var i=0;i<+m[2];i++){root.querySelector('.gs-next').click();}}
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
            "{style}<div class=\"gostack-steps\" id=\"{id}\" tabindex=\"0\">",
            "<div><strong>{caption}</strong></div>",
            "<div class=\"gs-controls\">",
            "<button class=\"gs-first\" title=\"first step (Home)\">first</button>",
            "<button class=\"gs-prev\" title=\"previous step (\u{2190})\">\u{25c0}</button>",
            "<button class=\"gs-next\" title=\"next step (\u{2192})\">\u{25b6}</button>",
            "<button class=\"gs-last\" title=\"last step (End)\">last</button>",
            "<button class=\"gs-call\">next CALL</button><button class=\"gs-ret\">next RET</button>",
            "<input class=\"gs-slider\" type=\"range\" min=\"0\" value=\"0\" aria-label=\"step\"></div>",
            "<div class=\"gs-where\"></div>",
            "<div class=\"gs-panes\"><table class=\"gs-listing\"></table><table class=\"gs-stack\"></table><table class=\"gs-regs\"></table></div>",
            "<script type=\"application/json\">{json}</script></div>{script}"
        ),
        style = one_line(STYLE),
        id = escape(id),
        caption = escape(&s.caption),
        json = json,
        script = one_line(SCRIPT)
    )
}
